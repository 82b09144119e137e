import numpy as np
import pytest
import xarray as xr

from assoc.citations import REFERENCES, cite
from assoc.compare import bonferroni_threshold, compare
from assoc.dataset import VARIABLES, assert_valid_result, finalize
from assoc.validation import check_choice, check_int, check_real


def test_check_real_messages():
    with pytest.raises(ValueError, match=r"alpha must be >= 0 \(got -0.1\)"):
        check_real("alpha", -0.1, low=0)
    with pytest.raises(ValueError, match="alpha must be > 0, not NaN"):
        check_real("alpha", float("nan"), low=0, low_open=True)
    with pytest.raises(ValueError, match="T must be finite"):
        check_real("T", np.inf, low=0)
    assert check_real("T", [0, 1]).tolist() == [0, 1]


def test_check_int_messages():
    with pytest.raises(ValueError, match=r"N must be an integer >= 2 \(got 1\)"):
        check_int("N", 1, low=2)
    with pytest.raises(ValueError, match=r"N must be an integer >= 2 \(got 10.5\)"):
        check_int("N", 10.5, low=2)
    with pytest.raises(ValueError, match="samples must be an integer"):
        check_int("samples", True, low=1)
    assert check_int("N", np.int64(5)) == 5
    with pytest.raises(ValueError, match="ansatz must be one of"):
        check_choice("ansatz", "2RSB", ("RS", "1RSB"))


def _theory_ds():
    ds = xr.Dataset(
        {"m": (("alpha", "branch"), [[0.9, 0.0]]),
         "converged": (("alpha", "branch"), [[True, True]])},
        coords={"alpha": [0.05], "branch": ["retrieval", "spin_glass"]},
    )
    return finalize(ds, kind="theory", model="hopfield", normalisation="x", references=["AGS1987"])


def test_finalize_attaches_conventions_and_round_trips(tmp_path):
    ds = _theory_ds()
    assert ds.m.attrs["long_name"] == VARIABLES["m"][0]
    assert "Amit" in ds.attrs["reference"]
    p = tmp_path / "t.nc"
    ds.to_netcdf(p)
    with xr.open_dataset(p) as back:
        xr.testing.assert_identical(back.load(), ds)


def test_assert_valid_result_catches_missing_things():
    ds = _theory_ds()
    bad = ds.drop_vars("converged")
    with pytest.raises(AssertionError, match="converged"):
        assert_valid_result(bad)
    bad = ds.copy()
    bad.m.attrs.pop("units")
    with pytest.raises(AssertionError, match="units"):
        assert_valid_result(bad)
    bad = ds.copy()
    del bad.attrs["reference"]
    with pytest.raises(AssertionError, match="reference"):
        assert_valid_result(bad)


def test_citations_registry():
    assert all(v.strip() for v in REFERENCES.values())
    with pytest.raises(KeyError, match="unknown reference"):
        cite("NoSuchPaper2099")


def test_compare_z_scores():
    th = xr.Dataset(
        {"m": (("alpha", "T", "branch"), [[[0.9, 0.0], [0.8, 0.0]]]),
         "converged": (("alpha", "T", "branch"), np.ones((1, 2, 2), bool))},
        coords={"alpha": [0.05], "T": [0.1, 0.3], "branch": ["retrieval", "spin_glass"]},
    )
    th = finalize(th, kind="theory", model="hopfield", normalisation="x", references=["AGS1987"])
    rng = np.random.default_rng(0)
    m = 0.9 + 0.01 * rng.standard_normal((1, 1, 1, 50))
    m = np.concatenate([m, m - 0.1], axis=1)  # T = 0.3 -> 0.8
    mc = xr.Dataset({"m": (("alpha", "T", "N", "sample"), m)},
                    coords={"alpha": [0.05], "T": [0.1, 0.3], "N": [100], "sample": np.arange(50)})
    out = compare(th, mc)
    assert out.z_m.dims == ("alpha", "T", "N")
    assert np.all(np.abs(out.z_m) < bonferroni_threshold(2))
    np.testing.assert_allclose(out.m_theory.values.ravel(), [0.9, 0.8])
    assert bonferroni_threshold(1, 0.05) == pytest.approx(1.959964, abs=1e-5)


def test_extrapolate_in_N_recovers_intercept():
    from assoc.compare import extrapolate_in_N

    rng = np.random.default_rng(5)
    Ns = np.array([100, 200, 400, 800])
    n = 400
    true = 0.9 - 3.0 / Ns  # v(N) = 0.9 - 3/N
    m = true[None, :, None] + 0.01 * rng.standard_normal((1, Ns.size, n))
    mc = xr.Dataset({"m": (("T", "N", "sample"), m)},
                    coords={"T": [0.3], "N": Ns, "sample": np.arange(n)})
    ex = extrapolate_in_N(mc)
    z = (ex.m - 0.9) / ex.m_sem
    assert abs(z.item()) < 4
    assert ex.m_sem.item() < 2e-3
    with pytest.raises(ValueError, match="at least two sizes"):
        extrapolate_in_N(mc.isel(N=[0]))


def test_every_cited_key_exists():
    """Static scan: string keys given as ``references=[...]`` or to ``cite(...)`` are registered."""
    import ast
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[2]
    missing = []
    for pkg in ("assoc", "theory", "montecarlo", "papers"):
        for path in (root / pkg).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if not isinstance(node, ast.Call):
                    continue
                args = list(node.args) if getattr(node.func, "id", None) == "cite" else []
                args += [k.value for k in node.keywords if k.arg == "references"]
                for a in args:
                    elts = a.elts if isinstance(a, (ast.List, ast.Tuple)) else [a]
                    for e in elts:
                        if isinstance(e, ast.Constant) and isinstance(e.value, str):
                            if e.value not in REFERENCES:
                                missing.append(f"{path.name}: {e.value}")
    assert not missing, missing
