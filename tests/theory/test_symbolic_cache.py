"""The on-disk cache of the symbolic engine (theory.symbolic.cache)."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import sympy as sp

from theory.symbolic import (
    E,
    ExpAbsMoment,
    LimitError,
    ReplicaFreeEnergy,
    closed_forms,
    limits,
    logcosh,
    rabs,
    rsign,
    zero_temperature_limit,
)
from theory.symbolic import cache as disk
from theory.symbolic import model as model_module

m, z, z0, z1 = sp.symbols("m z z0 z1", real=True)
beta, D, theta, mu = sp.symbols("beta D theta mu", positive=True)


def rf_model(name: str = "random-field CW", D_: sp.Symbol = D, **kw) -> ReplicaFreeEnergy:
    """RS random-field Curie-Weiss (docs/symbolic_engine.md), a fresh object each call."""
    f = m**2 / 2 - E(sp.log(2 * sp.cosh(beta * (m + sp.sqrt(D_) * z))), z) / beta
    return ReplicaFreeEnergy(f, [m], [beta, D_], beta=beta, zero_temperature_scaling={},
                             minimize=[m], name=name, **kw)


def rf_1rsb() -> ReplicaFreeEnergy:
    """Its 1RSB form: nested averages, and at T = 0 (theta = mu/beta) an ExpAbsMoment."""
    h = m + sp.sqrt(D) * z0 + sp.sqrt(D) * z1
    f = m**2 / 2 - E(sp.log(E(sp.cosh(beta * h) ** theta, z1)), z0) / (beta * theta)
    return ReplicaFreeEnergy(f, [m, theta], [beta, D], beta=beta,
                             bounds={theta: (0.0, 1.0)}, constraints=(1 - theta,),
                             zero_temperature_scaling={theta: mu / beta}, name="rf 1RSB")


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    d = tmp_path / "cache"
    monkeypatch.setenv(disk.ENV_VAR, str(d))
    return d


def entries(d) -> list:
    return sorted(p.name for p in d.rglob("*") if p.is_file()) if d.exists() else []


def numbers(model: ReplicaFreeEnergy) -> list[np.ndarray]:
    """Every compiled quantity of ``model`` (and of its T = 0 model) at a few points."""
    cf = model.compile()
    x = np.array([[0.3, 0.4], [0.9, 0.7]])[:, : model.dim]
    c = {"beta": np.array([2.0, 5.0]), "D": 0.1}
    out = [cf.f(x, c), *cf.grad_hess(x, c), cf.fixed_point_map(x, c),
           cf.control_jacobian(x, c, "D"), cf.constraints_ok(x, c)]
    cf0 = model.zero_temperature().compile()
    x0 = np.array([[0.3, 1.5], [0.9, 4.0]])[:, : cf0.model.dim]
    out += [cf0.f(x0, {"D": 0.1}), *cf0.grad_hess(x0, {"D": 0.1}),
            cf0.fixed_point_map(x0, {"D": 0.1})]
    return out


def forbid_derivation(monkeypatch) -> None:
    """Make every symbolic computation of the engine fail: only the disk can answer."""
    def boom(*a, **k):
        raise AssertionError("derived again instead of loaded from the disk cache")

    monkeypatch.setattr(ReplicaFreeEnergy, "_derive", boom)
    monkeypatch.setattr(ReplicaFreeEnergy, "_zero_temperature_fields", boom)
    monkeypatch.setattr(model_module, "_post", boom)
    monkeypatch.setattr(model_module, "Evaluator", boom)


# ----------------------------------------------------------------------------------------
def test_engine_expressions_survive_a_pickle_round_trip():
    u = sp.Dummy("u", nonnegative=True)
    exprs = [
        E(E(sp.cosh(beta * (m + z0 + z1)) ** theta, z1), z0),
        logcosh(beta * m) + rabs(m - u) * rsign(m + u),
        ExpAbsMoment(1, 1, mu, m + sp.sqrt(D) * z0, D),
        closed_forms(E(sp.exp(mu * rabs(m + sp.sqrt(D) * z1)), z1)),
        sp.DiracDelta(m, 1) + u**2,
    ]
    back = pickle.loads(pickle.dumps(exprs, protocol=pickle.HIGHEST_PROTOCOL))
    assert back == exprs
    assert u in back[1].free_symbols  # the Dummy is the same symbol in this process
    d = rf_1rsb().derived
    assert pickle.loads(pickle.dumps(d)) == d


def test_a_new_equal_model_loads_everything_from_disk_with_identical_numbers(
        cache_dir, monkeypatch):
    first = rf_1rsb()
    ref = numbers(first)
    names = entries(cache_dir)
    kinds = {n.split("-")[0] for n in names}
    assert kinds == {"derived", "zero_temperature", "zero_temperature_limit",
                     "control_derivative", "evaluator"}
    assert not [n for n in names if n.endswith(".tmp")]

    forbid_derivation(monkeypatch)
    again = rf_1rsb()  # equal, but a new object: none of the in-process caches
    assert again is not first
    got = numbers(again)
    for a, b in zip(ref, got, strict=True):
        np.testing.assert_array_equal(a, b)  # bit for bit (NaN where NaN)
    assert again.derived == first.derived
    z1, z2 = first.zero_temperature(), again.zero_temperature()
    assert (z1.f, z1.order_parameters, z1.controls, z1.bounds) == (
        z2.f, z2.order_parameters, z2.controls, z2.bounds)
    assert again.control_derivative(D) == first.control_derivative(D)
    assert entries(cache_dir) == names


def test_a_new_process_loads_from_disk_with_identical_numbers(cache_dir):
    # a Dummy control: its dummy_index differs between processes, the key does not
    script = textwrap.dedent("""
        import numpy as np, sympy as sp
        from theory.symbolic import E, ReplicaFreeEnergy
        m, z = sp.symbols("m z", real=True)
        beta = sp.Symbol("beta", positive=True)
        D = sp.Dummy("D", positive=True)
        f = m**2 / 2 - E(sp.log(2 * sp.cosh(beta * (m + sp.sqrt(D) * z))), z) / beta
        model = ReplicaFreeEnergy(f, [m], [beta, D], beta=beta, name="rf dummy")
        if LOAD:
            from theory.symbolic import model as mm
            def boom(*a, **k):
                raise AssertionError("derived again")
            mm.Evaluator = mm._post = ReplicaFreeEnergy._derive = boom
        d = model.derived
        assert d.grad[0].free_symbols == {m, beta, D}, d.grad[0].free_symbols
        cf = model.compile()
        x = np.array([[0.3], [0.9]])
        c = {"beta": np.array([2.0, 5.0]), "D": 0.1}
        g, H = cf.grad_hess(x, c)
        vals = [*cf.f(x, c), *g.ravel(), *H.ravel(), *cf.control_jacobian(x, c, "D").ravel()]
        OUT = " ".join(float(v).hex() for v in vals)
    """)
    ns = {"LOAD": False}
    exec(script, ns)  # noqa: S102 - stores the entries from this process
    assert len(entries(cache_dir)) == 5  # derived, dg/dD and the f, gh and dc Evaluators
    env = {**os.environ, disk.ENV_VAR: str(cache_dir)}
    r = subprocess.run([sys.executable, "-c", "LOAD = True\n" + script + "\nprint(OUT)"],
                       capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == ns["OUT"]
    assert len(entries(cache_dir)) == 5


def test_zero_temperature_limits_are_kept_and_failures_are_not(cache_dir, monkeypatch):
    h = m + sp.sqrt(D) * z0 + sp.sqrt(D) * z1
    f = m**2 / 2 - E(sp.log(E(sp.cosh(beta * h) ** theta, z1)), z0) / (beta * theta)
    lim = zero_temperature_limit(f, beta, {theta: mu / beta})
    assert entries(cache_dir)[0].startswith("zero_temperature_limit-")
    with pytest.raises(LimitError):
        zero_temperature_limit(f, beta, {})  # theta beta does not stay finite
    assert len(entries(cache_dir)) == 1
    monkeypatch.setattr(limits, "_apply_rules", lambda *a: 1 / 0)
    assert zero_temperature_limit(f, beta, {theta: mu / beta}) == lim  # from the disk
    with pytest.raises(ZeroDivisionError):  # another scaling is another entry
        zero_temperature_limit(f, beta, {theta: 2 * mu / beta})


def test_different_models_get_different_keys_equal_ones_the_same():
    def key(mod):
        return mod._disk_key.digest

    base = key(rf_model())
    assert key(rf_model()) == base
    # a Dummy is numbered by appearance: equal models with different Dummy objects agree
    d1, d2 = sp.Dummy("D", positive=True), sp.Dummy("D", positive=True)
    assert key(rf_model(D_=d1)) == key(rf_model(D_=d2)) != base
    others = [
        rf_model(name="other"),
        rf_model(bounds={m: (0.0, None)}),
        rf_model(constraints=(m + 1,)),
        rf_model(stability={"s": m}),
        rf_model(equations={m: m - sp.tanh(beta * m)}),
        rf_model(D_=sp.Symbol("D", nonnegative=True)),  # other assumptions
        rf_model(D_=sp.Symbol("D2", positive=True)),
        ReplicaFreeEnergy(rf_model().f, [m], [D, beta], beta=beta,  # other control order
                          zero_temperature_scaling={}, minimize=[m], name="random-field CW"),
        ReplicaFreeEnergy(rf_model().f + m**4, [m], [beta, D], beta=beta,
                          zero_temperature_scaling={}, minimize=[m], name="random-field CW"),
    ]
    keys = [key(o) for o in others]
    assert base not in keys and len(set(keys)) == len(keys)
    k = rf_model()._disk_key
    assert k.child("evaluator 'f'").digest != k.child("evaluator 'gh'").digest != k.digest


def test_an_entry_of_another_engine_version_is_not_read(cache_dir, monkeypatch):
    rf_model().derive()
    assert len(entries(cache_dir)) == 1
    monkeypatch.setattr(disk, "engine_version", lambda: "f" * 64)
    calls = []
    real = ReplicaFreeEnergy._derive
    monkeypatch.setattr(ReplicaFreeEnergy, "_derive", lambda s: calls.append(1) or real(s))
    rf_model().derive()
    assert calls == [1] and len(entries(cache_dir)) == 2


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty", "foreign"])
def test_a_corrupt_entry_is_recomputed_and_overwritten(cache_dir, monkeypatch, damage):
    good = rf_model().derived
    (path,) = cache_dir.rglob("derived-*.pkl")
    data = path.read_bytes()
    if damage == "foreign":  # a valid pickle of another key under this name
        bad = pickle.loads(data)
        bad["key"] += "\nsomething else"
        path.write_bytes(pickle.dumps(bad))
    else:
        path.write_bytes({"garbage": b"\x80\x05not a pickle", "truncated": data[: len(data) // 2],
                          "empty": b""}[damage])
    calls = []
    real = ReplicaFreeEnergy._derive
    monkeypatch.setattr(ReplicaFreeEnergy, "_derive", lambda s: calls.append(1) or real(s))
    assert rf_model().derived == good
    assert calls == [1]
    assert path.read_bytes() != b"" and disk.load("derived", rf_model()._disk_key) == good
    rf_model().derive()
    assert calls == [1]  # the overwritten entry is read again


@pytest.mark.parametrize("value", ["0", "off", "OFF", "false"])
def test_a_disabled_cache_writes_nothing(tmp_path, monkeypatch, value):
    monkeypatch.setenv(disk.ENV_VAR, value)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    assert disk.cache_dir() is None
    mod = rf_model()
    assert mod.compile().f(np.array([[0.5]]), {"beta": 2.0, "D": 0.1}).shape == (1,)
    assert mod.__dict__.get("_disk_key") is None  # not even keyed
    assert list(tmp_path.rglob("*")) == []


def test_an_unwritable_directory_falls_back_to_no_cache(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv(disk.ENV_VAR, str(blocker / "cache"))  # cannot be created
    ref = numbers(rf_model())
    np.testing.assert_array_equal(numbers(rf_model())[0], ref[0])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


def test_a_failed_write_leaves_neither_entry_nor_temporary_file(cache_dir, monkeypatch):
    def fail(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(disk.os, "replace", fail)
    assert rf_model().derived.grad
    assert entries(cache_dir) == []


def test_concurrent_writers_leave_one_valid_entry(cache_dir):
    mod = rf_model()
    d = mod.derived
    key = mod._disk_key
    with ThreadPoolExecutor(8) as ex:
        assert all(ex.map(lambda _: disk.store("derived", key, d), range(16)))
    assert disk.load("derived", key) == d
    assert len(entries(cache_dir)) == 1  # no temporary file is left behind


def test_the_default_location_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.delenv(disk.ENV_VAR, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert disk.cache_dir() == tmp_path / "assoc-theory"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert disk.cache_dir() == tmp_path / "home" / ".cache" / "assoc-theory"
    monkeypatch.setenv(disk.ENV_VAR, str(tmp_path / "mine"))
    assert disk.cache_dir() == tmp_path / "mine"


def test_clear_removes_the_entries(cache_dir):
    rf_model().derive()
    (cache_dir / "keep.txt").write_text("not ours")
    assert disk.clear() == 1
    assert entries(cache_dir) == ["keep.txt"]


def test_the_test_suite_does_not_write_into_the_home_directory():
    assert os.environ.get(disk.ENV_VAR)  # tests/conftest.py sets it for the session
