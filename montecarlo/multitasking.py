"""``montecarlo.simulate_multitasking``: Monte Carlo of multitasking Hebbian networks.

Diluted archetypes and couplings built from them or from noisy examples
(:class:`assoc.models.MultitaskingHebbian`, :class:`assoc.models.ExampleHebbian`)
run on the NumPy engine through *integer patterns with a scale*: every coupling is
``scale * (1/N) sum_nu X^nu_i X^nu_j`` with integer ``X`` (archetypes, scale 1; summed
examples ``sum_a eta^(mu,a)``, scale ``1/(R M^2)``; all K M examples, scale ``1/(R M)``),
so overlaps with X are exact integers, updated in O(K) (O(K M) unsupervised) per flip,
and every flip is decided on an exact integer energy difference.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import xarray as xr

from assoc.backend import BACKENDS
from assoc.dataset import finalize
from assoc.models import ExampleHebbian, MultitaskingHebbian
from assoc.patterns import diluted, noisy_examples
from assoc.seeding import (
    SeedLike,
    control_key,
    normalize_seed,
    philox_key,
    seed_entropy,
    stream_rng,
    stream_seed,
)
from assoc.validation import check_choice, check_int, check_real

from .dynamics import Glauber, UpdateRule
from .engine_numpy import init_state, run_sweeps
from .observables import mean_and_error
from .simulate import _as_list, _check_sizes

__all__ = ["simulate_multitasking", "MT_STARTS", "start_configuration"]

MT_STARTS = ("hierarchical", "parallel", "pattern", "random")


def start_configuration(xi: np.ndarray, start: str, fill: np.ndarray) -> np.ndarray:
    """Initial spins from archetypes ``xi`` (K, N); ``fill`` (+-1, N) where undetermined.

    ``hierarchical``: the first nonzero archetype at each site; ``parallel``: the sign of
    ``sum_mu xi^mu_i``; ``pattern``: archetype 1; ``random``: ``fill``.
    """
    if start == "random":
        return fill.astype(np.int8)
    if start == "hierarchical":
        nz = xi != 0
        first = np.where(nz.any(0), xi[nz.argmax(0), np.arange(xi.shape[1])], 0)
    elif start == "parallel":
        first = np.sign(xi.astype(np.int64).sum(0))
    else:
        first = xi[0]
    return np.where(first != 0, first, fill).astype(np.int8)


def simulate_multitasking(
    model: MultitaskingHebbian,
    *,
    d: float | Sequence[float],
    T: float | Sequence[float],
    N: int | Sequence[int],
    samples: int,
    sweeps: int,
    burn_in: int | None = None,
    r: float | Sequence[float] | None = None,
    M: int | Sequence[int] | None = None,
    seed: SeedLike = None,
    start: str = "hierarchical",
    dynamics: UpdateRule | None = None,
    replicas: int = 1,
    backend: str = "numpy",
) -> xr.Dataset:
    """Monte Carlo over (d, T, [r, M], N) with ``samples`` disorder realisations each.

    Parameters
    ----------
    model : :class:`assoc.models.MultitaskingHebbian` or :class:`assoc.models.ExampleHebbian`
        K archetypes; with ``ExampleHebbian`` the couplings come from examples
        (``protocol`` supervised or unsupervised) and ``r``, ``M`` are required.
    d : dilution(s) in [0, 1).
    T : temperature(s) >= 0 (T = 0: zero-temperature dynamics).
    N : size(s) >= 2.
    samples, sweeps, burn_in : as in :func:`montecarlo.simulate` (default burn-in sweeps//2).
    r : example quality in (0, 1]; M : examples per archetype >= 1 (scalars or 1-D).
    seed : root seed. Archetypes: stream ``disorder`` keyed by (K, d, N, sample);
        example a: keyed by (K, d, N, sample, a), its uniforms shared by every r, so the
        examples of a larger M extend those of a smaller one; initial spins ``init`` and
        thermal noise ``thermal`` keyed by the full control point, sample and replica;
        site order ``sites`` by the point and sweep.
    start : {'hierarchical', 'parallel', 'pattern', 'random'}
        Initial spins (:func:`start_configuration`; sites where the rule gives 0 are
        drawn at random).
    dynamics : Glauber (default) or Metropolis rule.
    replicas : independent chains per sample and control point (averaged).
    backend : {'numpy', 'auto'}.

    Returns
    -------
    xarray.Dataset
        Dimensions ``(d, T, [r, M], N, sample)``, and ``pattern`` for ``m`` (time-averaged
        archetype overlaps) and, with examples, ``n`` (overlaps with the example means);
        ``energy`` per spin (exact, self-couplings excluded); each with ``<v>_err`` (time
        series standard error, Sokal window) and ``tau_int_<v>``.
    """
    if not isinstance(model, MultitaskingHebbian):
        raise ValueError(f"model must be MultitaskingHebbian or ExampleHebbian (got {model!r})")
    dynamics = Glauber() if dynamics is None else dynamics
    if not isinstance(dynamics, UpdateRule):
        raise ValueError(f"dynamics must be a Glauber or Metropolis rule (got {dynamics!r})")
    ds_ = check_real("d", _as_list("d", d), low=0.0, high=1.0, high_open=True).tolist()
    Ts = check_real("T", _as_list("T", T), low=0.0).tolist()
    Ns = _check_sizes(N)
    samples = check_int("samples", samples, low=1)
    sweeps = check_int("sweeps", sweeps, low=1)
    burn_in = sweeps // 2 if burn_in is None else check_int("burn_in", burn_in, low=0)
    replicas = check_int("replicas", replicas, low=1)
    check_choice("start", start, MT_STARTS)
    check_choice("backend", backend, BACKENDS)
    if backend == "cupy":
        raise ValueError("backend must be 'numpy' or 'auto': the CuPy Monte Carlo engine is "
                         "not part of this release")
    examples = isinstance(model, ExampleHebbian)
    if examples:
        if r is None or M is None:
            raise ValueError("ExampleHebbian needs r (in (0, 1]) and M (>= 1)")
        rs = check_real("r", _as_list("r", r), low=0.0, high=1.0, low_open=True).tolist()
        Ms = [check_int("M", m, low=1) for m in _as_list("M", M)]
    elif r is not None or M is not None:
        raise ValueError("r and M need an ExampleHebbian model")
    else:
        rs, Ms = [None], [None]
    root = normalize_seed(seed)
    K = model.K
    ex_shape = (len(rs), len(Ms)) if examples else ()
    shape = (len(ds_), len(Ts)) + ex_shape + (len(Ns), samples)
    names = ["m", "energy"] + (["n"] if examples else [])
    out: dict[str, np.ndarray] = {}
    for v in names:
        tail = (K,) if v != "energy" else ()
        for k in (v, f"{v}_err", f"tau_int_{v}"):
            out[k] = np.full(shape + tail, np.nan)
    for a, dv in enumerate(ds_):
        for n, Nn in enumerate(Ns):
            for i, rv in enumerate(rs):
                for j, Mv in enumerate(Ms):
                    res = _run_point(model, dynamics, root, dv, Nn, rv, Mv, Ts, samples, sweeps,
                                     burn_in, start, replicas)
                    for k, val in res.items():
                        idx = (a, slice(None)) + ((i, j) if examples else ()) + (n,)
                        out[k][idx] = val
    ctrl = ("d", "T") + (("r", "M") if examples else ())
    dims = ctrl + ("N", "sample")
    with np.errstate(divide="ignore"):
        beta = np.where(np.asarray(Ts) > 0, 1.0 / np.maximum(Ts, 1e-300), np.inf)
    coords: dict[str, Any] = {"d": ds_, "T": Ts, "N": Ns, "sample": np.arange(samples),
                              "beta": ("T", beta), "pattern": np.arange(1, K + 1), "K": K}
    if examples:
        coords.update(r=rs, M=np.asarray(Ms, dtype=np.int64))
    ds = xr.Dataset({k: (dims + (("pattern",) if v.ndim == len(dims) + 1 else ()), v)
                     for k, v in out.items()}, coords=coords)
    labels = {"m": "Mattis overlap with archetype mu", "energy": "energy per spin",
              "n": "overlap with the example mean of archetype mu"}
    for v in names:
        ds[v].attrs.update(long_name=f"time-averaged {labels[v]}", units="1")
        ds[f"{v}_err"].attrs.update(long_name=f"standard error of the time average of "
                                              f"{labels[v]}", units="1")
        ds[f"tau_int_{v}"].attrs.update(long_name=f"integrated autocorrelation time of "
                                                  f"{labels[v]}", units="sweeps")
    ds["pattern"].attrs.update(long_name="archetype index mu", units="1")
    return finalize(
        ds,
        kind="montecarlo",
        model=model.name,
        normalisation=model.normalisation,
        references=["Agliari2012", "Agliari2023",
                    "Glauber1963" if dynamics.name == "glauber" else "Metropolis1953",
                    "Salmon2011", "Sokal1997"],
        sampler=f"{type(dynamics).__name__}(order={dynamics.order!r}) single-spin flips",
        engine="numpy (blocked delayed updates, exact integer overlaps of integer patterns "
               "with a coupling scale)",
        protocol=getattr(model, "protocol", None),
        seed=seed_entropy(root),
        sweeps=sweeps,
        burn_in=burn_in,
        replicas=replicas,
        start=start,
        backend="numpy",
    )


def _patterns(model: MultitaskingHebbian, root: np.random.SeedSequence, d: float, N: int,
              r: float | None, M: int | None, samples: int
              ) -> tuple[np.ndarray, np.ndarray, float]:
    """Archetypes (S, K, N), integer coupling patterns (S, K', N) and the coupling scale."""
    K = model.K
    point = control_key(model="multitasking", K=K, d=d, N=N)
    xi = np.stack([diluted(K, N, d, seed=stream_seed(root, "disorder", point, s, 0))
                   for s in range(samples)])
    if r is None:
        return xi, xi, 1.0
    assert isinstance(model, ExampleHebbian) and M is not None
    eta = np.stack([
        np.concatenate([noisy_examples(xi[s], r, 1, seed=stream_seed(root, "disorder", point,
                                                                       s, 1, a))
                        for a in range(M)], axis=1)
        for s in range(samples)])  # (S, K, M, N)
    X, scale = model.integer_patterns(eta, r)
    return xi, X, scale


def _run_point(model: MultitaskingHebbian, rule: UpdateRule, root: np.random.SeedSequence,
               d: float, N: int, r: float | None, M: int | None, Ts: list[float],
               samples: int, sweeps: int, burn_in: int, start: str, replicas: int
               ) -> dict[str, np.ndarray]:
    """All temperatures x samples x replicas of one (d, N, r, M) point; arrays (T, sample, ..)."""
    K = model.K
    xi, X, scale = _patterns(model, root, d, N, r, M, samples)
    pkey = control_key(model=model.name, K=K, d=d, N=N, r=r if r is not None else -1.0,
                       M=M if M is not None else 0, protocol=getattr(model, "protocol", "none"))
    nT = len(Ts)
    R = nT * replicas
    spins = np.empty((samples, R, N), dtype=np.int8)
    keys = np.empty((samples, R, 2), dtype=np.uint64)
    for t, Tv in enumerate(Ts):
        tkey = control_key(point=pkey, T=Tv)
        for s in range(samples):
            for rep in range(replicas):
                c = t * replicas + rep
                keys[s, c] = philox_key(root, "thermal", tkey, s, rep)
                fill = 2 * stream_rng(root, "init", tkey, s, rep).integers(0, 2, N) - 1
                spins[s, c] = start_configuration(xi[s], start, fill)
    Tchain = np.repeat(np.asarray(Ts, dtype=np.float64), replicas)[None, :].repeat(samples, 0)
    state = init_state(X, spins)
    sites = lambda sw: stream_rng(root, "sites", pkey, sw)  # noqa: E731
    if burn_in:
        run_sweeps(model, rule, X, state, Tchain, keys, burn_in, sites_rng=sites, scale=scale)
    xif = xi.astype(np.float64)
    self_energy = scale * (X.astype(np.float64) ** 2).sum(axis=(1, 2)) / (2.0 * N)  # (S,)
    ms, es, ns = [], [], []
    Mex = (M or 1) if r is not None else 1

    def measure(st):
        Mf = st.M.astype(np.float64)  # (S, K', R)
        es.append((-scale * (Mf * Mf).sum(1) / (2.0 * N) + self_energy[:, None]) / N)
        if r is None:
            ms.append(Mf / N)
            return
        sp = st.spins.astype(np.float64)  # (N, S, R)
        ms.append(np.einsum("skn,nsr->skr", xif, sp) / N)
        if model.protocol == "supervised":
            ns.append(Mf / (N * Mex))
        else:
            ns.append(Mf.reshape(samples, K, Mex, R).mean(2) / N)

    run_sweeps(model, rule, X, state, Tchain, keys, sweeps, measure=measure, sites_rng=sites,
               scale=scale)
    out: dict[str, np.ndarray] = {}
    series = [("m", ms), ("energy", es)] + ([("n", ns)] if r is not None else [])
    for name, ser in series:
        x = np.stack(ser, axis=-1)  # (S, [K,] R, time)
        if x.ndim == 4:
            x = np.moveaxis(x, 1, 2)  # (S, R, K, time)
        x = x.reshape((samples, nT, replicas) + x.shape[2:])  # (S, T, rep, [K,] time)
        mean, err, tau = mean_and_error(x, axis=-1)
        mean, err, tau = mean.mean(2), np.sqrt((err**2).sum(2)) / replicas, tau.mean(2)
        for k, v in ((name, mean), (f"{name}_err", err), (f"tau_int_{name}", tau)):
            out[k] = np.swapaxes(v, 0, 1)  # (T, S, [K])
    return out
