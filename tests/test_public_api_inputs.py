"""Generated bad-input test of the public API (issue: bad input and interruptions).

Every public callable has an entry in :data:`SPEC`: a cheap valid call (``base``) and the
valid range of each parameter (the kinds are in ``tests/api_inputs_kinds.py``; the entries of
the symbolic engine and of the modern Hopfield API in ``tests/api_inputs_symbolic.py`` and
``tests/api_inputs_modern.py``).  Hypothesis draws invalid values of each parameter (out of
range, NaN, infinities, wrong types, empty and wrongly shaped grids, unknown choices), one
parameter at a time, and the call must raise ValueError or TypeError naming the parameter,
within a second (a call that starts computing is stopped by an alarm and fails).

:func:`test_every_public_callable_has_an_entry` walks the packages' ``__all__``: a public
callable without an entry fails it, unless it is listed in :data:`EXEMPT` (nothing a user
passes that could be out of range, with the reason).  The count of callables and inputs
tried is printed and written to ``benchmarks/results/public_api_inputs.txt`` by
``python -m tests.test_public_api_inputs`` (from the repository root).
"""

from __future__ import annotations

import importlib
import inspect
import pathlib
import re
import signal
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import xarray as xr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assoc import Hopfield
from tests.api_inputs_kinds import Bool, Choice, Dataset, Entry, Grid, Int, Real, Scalar, Store
from tests.api_inputs_modern import EXEMPT_MODERN, SPEC_MODERN
from tests.api_inputs_symbolic import EXEMPT_SYMBOLIC, SPEC_SYMBOLIC

#: Seconds a refusal may take (the alarm that stops a call that started working is 2x this).
REFUSAL_SECONDS = 1.0


# ----------------------------------------------------------------------------------------
# the table: a cheap valid call and the valid range of each parameter
# ----------------------------------------------------------------------------------------
ANSATZ_H = Choice(("RS", "1RSB"))
T_GRID, A_GRID, A_POS = Grid(low=0.0), Grid(low=0.0), Grid(low=0.0, low_open=True)
R = Grid(low=0.0, high=1.0, low_open=True)
PROTOCOL, LOAD = Choice(("supervised", "unsupervised")), Choice(("storage", "detection"))
D = Grid(low=0.0, high=1.0)

SPEC: dict[str, Entry] = {
    # theory.hopfield
    "theory.hopfield.solve": Entry(dict(alpha=0.05, T=0.1),
                                   dict(alpha=A_POS, T=T_GRID, ansatz=Choice(("RS",)))),
    "theory.hopfield.critical_capacity": Entry(dict(T=0.0), dict(
        T=Scalar(low=0.0), ansatz=Choice(("RS", "1RSB", "2RSB")))),
    "theory.hopfield.critical_point": Entry(dict(T=0.0), dict(T=T_GRID, ansatz=Choice(("RS",)))),
    "theory.hopfield.transition_lines": Entry(dict(alpha=0.05), dict(alpha=A_POS)),
    "theory.hopfield.first_order_line": Entry(dict(), dict(n_T=Int(low=2))),
    "theory.hopfield.phase_diagram": Entry(dict(alpha=0.05, T=0.1), dict(
        alpha=A_POS, T=T_GRID, replicon=Bool())),
    "theory.hopfield.mixture": Entry(dict(n=3, T=0.1), dict(n=Int(low=1), T=T_GRID)),
    "theory.hopfield.mixture_stability_temperature": Entry(dict(n=3), dict(n=Int(low=1))),
    "theory.hopfield.signal_to_noise": Entry(dict(alpha=0.05), dict(alpha=Real(low=0.0))),
    # theory.hopfield_rsb
    "theory.hopfield_rsb.solve": Entry(dict(alpha=0.05, T=0.1), dict(
        alpha=A_POS, T=T_GRID, ansatz=ANSATZ_H)),
    "theory.hopfield_rsb.critical_point": Entry(dict(T=0.0), dict(
        T=Scalar(low=0.0), ansatz=Choice(("RS", "1RSB", "2RSB")))),
    "theory.hopfield_rsb.critical_capacity": Entry(dict(T=0.0), dict(
        T=Scalar(low=0.0), ansatz=Choice(("RS", "1RSB", "2RSB")))),
    # theory.dense
    "theory.dense.solve": Entry(dict(P=3, alpha=0.05, T=0.1), dict(
        P=Int(low=2), alpha=A_GRID, T=T_GRID, ansatz=ANSATZ_H)),
    "theory.dense.critical_point": Entry(dict(P=3, T=0.0), dict(
        P=Int(low=2), T=Scalar(low=0.0), ansatz=Choice(("RS", "1RSB", "2RSB")))),
    "theory.dense.critical_capacity": Entry(dict(P=3, T=0.0), dict(
        P=Int(low=2), T=Scalar(low=0.0), ansatz=Choice(("RS", "1RSB", "2RSB")))),
    "theory.dense.global_minimum_load": Entry(dict(P=3), dict(P=Int(low=2), ansatz=ANSATZ_H)),
    "theory.dense.first_order_line": Entry(dict(P=3), dict(
        P=Int(low=2), ansatz=ANSATZ_H, n_T=Int(low=2), n_alpha=Int(low=2))),
    "theory.dense.transition_lines": Entry(dict(P=3, alpha=0.05), dict(
        P=Int(low=2), alpha=A_GRID, ansatz=ANSATZ_H, n_T=Int(low=2))),
    "theory.dense.low_load_lines": Entry(dict(P=3), dict(P=Int(low=3))),
    "theory.dense.spin_glass_constants": Entry(dict(P=3), dict(P=Int(low=3), ansatz=ANSATZ_H)),
    "theory.dense.convert": Entry(dict(P=3, alpha=0.05, T=0.1), dict(
        P=Int(low=2), alpha=Real(low=0.0), T=Real(low=0.0), source=Choice(("library",)),
        target=Choice(("library",)))),
    "theory.dense.all_tuples_covariance": Entry(dict(P=3, q=0.5), dict(
        P=Int(low=2), q=Real(low=-1.0, high=1.0))),
    "theory.dense.signal_to_noise": Entry(dict(P=3, alpha=0.05), dict(
        P=Int(low=2), alpha=A_GRID, N=Int(low=3, optional=True))),
    # theory.dense_learning
    "theory.dense_learning.solve": Entry(dict(P=3, alpha=0.01, T=0.1, r=0.8, M=3), dict(
        P=Int(low=2), alpha=A_GRID, T=T_GRID, r=R, M=Int(low=1), protocol=PROTOCOL,
        load=LOAD)),
    "theory.dense_learning.critical_capacity": Entry(dict(P=3, T=0.0, r=0.8, M=3), dict(
        P=Int(low=2), T=T_GRID, r=R, M=Int(low=1), protocol=PROTOCOL, load=LOAD)),
    "theory.dense_learning.transition_lines": Entry(dict(P=3, alpha=0.01, r=0.8, M=3), dict(
        P=Int(low=2), alpha=A_GRID, r=R, M=Int(low=1), protocol=PROTOCOL)),
    "theory.dense_learning.low_load_lines": Entry(dict(P=3, r=0.8, M=3), dict(
        P=Int(low=2), r=R, M=Int(low=1))),
    "theory.dense_learning.signal_to_noise": Entry(dict(P=3, alpha=0.01, r=0.8, M=3), dict(
        P=Int(low=2), alpha=A_GRID, r=R, M=Int(low=1), protocol=PROTOCOL, load=LOAD)),
    "theory.dense_learning.learning_threshold": Entry(dict(P=3, alpha=0.01, r=0.8), dict(
        P=Int(low=2), alpha=A_GRID, r=R, protocol=PROTOCOL, load=LOAD,
        snr=Scalar(low=0.0, low_open=True))),
    "theory.dense_learning.dataset_entropy": Entry(dict(r=0.8, M=3), dict(
        r=Real(low=0.0, high=1.0, low_open=True), M=Int(low=1))),
    "theory.dense_learning.normalisation": Entry(dict(P=3, protocol="supervised",
                                                      load="storage"), dict(
        P=Int(low=2), protocol=PROTOCOL, load=LOAD)),
    # theory.multitasking
    "theory.multitasking.solve": Entry(dict(K=2, d=0.3, T=0.1), dict(
        K=Int(low=1), d=D, T=T_GRID, n_random=Int(low=0), seed=Int(low=0))),
    "theory.multitasking.regime_boundaries": Entry(dict(K=2, T=0.1), dict(
        K=Int(low=1), T=T_GRID, d_tol=Scalar(low=0.0, low_open=True), n_random=Int(low=0),
        seed=Int(low=0))),
    "theory.multitasking.branches": Entry(dict(K=2), dict(K=Int(low=1))),
    "theory.multitasking.hierarchical_overlaps": Entry(dict(K=2, d=0.3), dict(K=Int(low=1),
                                                                               d=D)),
    "theory.multitasking.hierarchical_threshold": Entry(dict(K=2), dict(K=Int(low=1))),
    "theory.multitasking.ground_state_threshold": Entry(dict(K=3), dict(K=Int(low=1))),
    "theory.multitasking.overturned_overlaps": Entry(dict(K=3, d=0.3), dict(K=Int(low=1), d=D)),
    "theory.multitasking.zero_temperature_states": Entry(dict(K=2, d=0.3), dict(
        K=Int(low=1), d=Scalar(low=0.0, high=1.0, low_open=True, high_open=True),
        method=Choice(("search", "exhaustive")),
        n_random=Int(low=0), seed=Int(low=0))),
    "theory.multitasking.signal_to_noise": Entry(dict(K=2, d=0.3, r=0.8, M=3), dict(
        K=Int(low=1), d=D, r=R, M=Int(low=1), protocol=PROTOCOL)),
    "theory.multitasking.learning_threshold": Entry(dict(K=2, d=0.3, r=0.8), dict(
        K=Int(low=1), d=D, r=R, theta=Scalar(low=0.0, low_open=True), protocol=PROTOCOL)),
    # assoc
    "assoc.Hopfield": Entry(dict(), dict(P=Int(low=2, high=2))),
    "assoc.DenseHebbian": Entry(dict(), dict(P=Int(low=2))),
    "assoc.get_namespace": Entry(dict(), dict(backend=Choice(("numpy", "cupy", "auto"),
                                                             optional=True))),
    "assoc.resolve_backend": Entry(dict(), dict(backend=Choice(("numpy", "cupy", "auto")))),
    "assoc.normalize_seed": Entry(dict(seed=1), dict(seed=Int(low=0, optional=True))),
    "assoc.stream_seed": Entry(dict(root=np.random.SeedSequence(1), stream="disorder"),
                               dict(stream=Choice(("disorder", "thermal", "init", "sites",
                                                   "queries", "model")))),
    "assoc.finalize": Entry(dict(kind="theory", model="m", normalisation="", references=[]),
                            dict(ds=Dataset())),
    "assoc.assert_valid_result": Entry(dict(), dict(ds=Dataset())),
    "assoc.compare": Entry(dict(theory=xr.Dataset({"m": ("alpha", [0.9])},
                                                  coords={"alpha": [0.05]}),
                                mc=xr.Dataset({"m": (("alpha", "sample"), [[0.9, 0.8]])},
                                              coords={"alpha": [0.05]})),
                           dict(theory=Dataset(), mc=Dataset())),
    # montecarlo
    "montecarlo.simulate": Entry(
        dict(model=Hopfield(), N=40, T=0.1, samples=1, sweeps=1, alpha=0.05, seed=1), dict(
            N=Int(low=3), T=T_GRID, samples=Int(low=1), sweeps=Int(low=1),
            burn_in=Int(low=0, optional=True), seed=Int(low=0, optional=True),
            backend=Choice(("numpy", "cupy", "auto")),
            engine=Choice(("auto", "numpy", "compiled", "cuda")),
            replicas=Int(low=1, optional=True), alpha=A_POS)),
    "montecarlo.open_campaign": Entry(dict(), dict(store=Store())),
    "montecarlo.campaign_status": Entry(dict(), dict(store=Store())),
    "montecarlo.Glauber": Entry(dict(), dict(order=Choice(("sequential", "random")))),
    "montecarlo.Metropolis": Entry(dict(), dict(order=Choice(("sequential", "random")))),
    "theory.multitasking.sum_squared_error": Entry(dict(m=[0.5, 0.2], d=0.3), dict(
        m=Real(low=-1.0, high=1.0), d=Real(low=0.0, high=1.0))),
}

#: Packages whose ``__all__`` is walked.
PACKAGES = ("theory.hopfield", "theory.hopfield_rsb", "theory.dense", "theory.dense_learning",
            "theory.multitasking", "assoc", "montecarlo", "theory.symbolic", "assoc.modern")
#: Callables with nothing a user passes that could be out of range.
EXEMPT = {
    "theory.hopfield_rsb.rs_free_energy": "no parameters",
    "theory.hopfield_rsb.rsb_free_energy": "no parameters",
    "assoc.NotConvergedError": "an exception class",
    "assoc.Model": "the abstract base of the models (its subclasses check P)",
    "assoc.has_cupy": "no parameters",
    "assoc.to_numpy": "converts any array; nothing to be out of range",
    "montecarlo.Campaign": "a spec mapping, validated in full by montecarlo.campaign.spec "
                           "(tests/montecarlo/test_campaign_spec.py)",
    "montecarlo.ChainState": "engine state, built by the engines, not by users",
}
SPEC.update(SPEC_SYMBOLIC)
SPEC.update(SPEC_MODERN)
EXEMPT.update(EXEMPT_SYMBOLIC)
EXEMPT.update(EXEMPT_MODERN)


def public_callables() -> dict[str, Callable]:
    out = {}
    for pkg in PACKAGES:
        mod = importlib.import_module(pkg)
        for name in getattr(mod, "__all__", ()):
            obj = getattr(mod, name)
            if callable(obj):
                out[f"{pkg}.{name}"] = obj
    return out


def _resolve(path: str) -> Callable:
    mod, name = path.rsplit(".", 1)
    return getattr(importlib.import_module(mod), name)


def _names(message: str, param: str) -> bool:
    """``message`` names ``param`` as a word (``'n'`` is not named by 'unsupported')."""
    return re.search(rf"(?<![A-Za-z0-9_]){re.escape(param)}(?![A-Za-z0-9_])", message) \
        is not None


class _Alarm(Exception):
    pass


def _refused(fn: Callable, kwargs: dict[str, Any], param: str) -> str | None:
    """None where ``fn(**kwargs)`` raises ValueError or TypeError naming ``param`` within
    REFUSAL_SECONDS; otherwise what happened."""
    def stop(*_: Any) -> None:
        raise _Alarm

    old = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, 2 * REFUSAL_SECONDS)
    t0 = time.perf_counter()
    try:
        fn(**kwargs)
    except _Alarm:
        return "not refused: it started working"
    except (ValueError, TypeError) as e:
        took = time.perf_counter() - t0
        if not _names(str(e), param):
            return f"{type(e).__name__} does not name {param!r}: {e}"
        if took > REFUSAL_SECONDS:
            return f"refused after {took:.2f} s"
        return None
    except Exception as e:  # noqa: BLE001
        return f"{type(e).__name__}: {e}"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    return "accepted"


CASES = [(path, p) for path, e in SPEC.items() for p in e.params]


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="needs SIGALRM")
@pytest.mark.parametrize("path,param", CASES, ids=[f"{a}:{b}" for a, b in CASES])
@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(data=st.data())
def test_invalid_input_is_refused_naming_the_parameter(path, param, data):
    entry = SPEC[path]
    bad = data.draw(entry.params[param].outside(), label=param)
    problem = _refused(_resolve(path), {**entry.base, param: bad}, param)
    assert problem is None, f"{path}({param}={bad!r}): {problem}"


def test_every_public_callable_has_an_entry():
    missing = [p for p in public_callables() if p not in SPEC and p not in EXEMPT]
    assert not missing, f"public callables without an entry in SPEC: {missing}"
    for path, entry in SPEC.items():  # the table names real parameters
        sig = inspect.signature(_resolve(path))
        if any(p.kind is p.VAR_KEYWORD for p in sig.parameters.values()):
            continue  # controls passed as keywords (simulate)
        unknown = set(entry.base) | set(entry.params)
        unknown -= set(sig.parameters)
        assert not unknown, (path, unknown)


def _count(path: str, param: str, kind: Any, counts: dict, failures: list,
           n_examples: int) -> None:
    fn, base = _resolve(path), SPEC[path].base

    @settings(max_examples=n_examples, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(bad=kind.outside())
    def run(bad: Any) -> None:
        counts["tried"] += 1
        problem = _refused(fn, {**base, param: bad}, param)
        if problem is None:
            counts["refused"] += 1
        else:
            failures.append(f"{path}({param}={bad!r}): {problem}")

    run()


def reliability(n_examples: int = 12) -> str:
    """The count behind the reliability figure: the same derandomised draws as the test,
    every tabled parameter, counted instead of asserted."""
    counts, failures = {"tried": 0, "refused": 0}, []
    for path, entry in SPEC.items():
        for param, kind in entry.params.items():
            _count(path, param, kind, counts, failures, n_examples)
    tried, refused = counts["tried"], counts["refused"]
    allc = public_callables()
    untabled = [p for p in allc if p not in SPEC and p not in EXEMPT]
    lines = [f"public callables: {len(allc)}; tabled: {len(SPEC)}; exempt: {len(EXEMPT)}; "
             f"neither: {len(untabled)}",
             f"invalid inputs tried: {tried}; refused clearly (ValueError/TypeError naming the "
             f"parameter, < {REFUSAL_SECONDS:g} s): {refused}"]
    return "\n".join(lines + failures) + "\n"


if __name__ == "__main__":
    import warnings

    warnings.simplefilter("ignore")
    text = reliability()
    print(text, end="")
    out = pathlib.Path(__file__).resolve().parents[1] / "benchmarks" / "results"
    (out / "public_api_inputs.txt").write_text(
        f"# python -m tests.test_public_api_inputs ({time.strftime('%Y-%m-%d')})\n" + text)
    sys.exit(0)
