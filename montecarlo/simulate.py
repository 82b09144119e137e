"""``montecarlo.simulate``: equilibrium Monte Carlo of Hebbian networks over a grid.

All chains of one (alpha, N) point, that is temperatures x samples x replicas,
advance together in the NumPy engine (:mod:`montecarlo.engine_numpy`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import xarray as xr

from assoc.backend import BACKENDS
from assoc.dataset import finalize
from assoc.models import Model
from assoc.patterns import unbiased
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

__all__ = ["simulate", "STARTS"]

STARTS = ("pattern", "random")


def _as_list(name: str, value: Any) -> list[Any]:
    arr = np.atleast_1d(np.asarray(value))
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a scalar or a non-empty 1-D sequence (got {value!r})")
    return arr.tolist()


def _check_sizes(N: int | Sequence[int]) -> list[int]:
    return [check_int("N", n, low=2) for n in _as_list("N", N)]


def simulate(
    model: Model,
    *,
    N: int | Sequence[int],
    alpha: float | Sequence[float],
    T: float | Sequence[float],
    samples: int,
    sweeps: int,
    burn_in: int | None = None,
    seed: SeedLike = None,
    start: str = "pattern",
    backend: str = "numpy",
    dynamics: UpdateRule | None = None,
    replicas: int = 2,
) -> xr.Dataset:
    """Run Monte Carlo over (alpha, T, N) with ``samples`` disorder realisations each.

    Parameters
    ----------
    model : :class:`assoc.models.Hopfield` or :class:`assoc.models.DenseHebbian`
        Its ``n_patterns(alpha, N)`` fixes K (e.g. ``K = round(alpha N)`` for Hopfield).
    N, alpha, T : scalars or 1-D sequences; T = 0 runs zero-temperature dynamics.
    samples : int >= 1
        Disorder realisations (pattern sets) per (alpha, N); the same patterns
        are used at every T.
    sweeps : int >= 1
        Measurement sweeps (N attempted flips per chain each), after ``burn_in``.
    burn_in : int >= 0, optional
        Sweeps discarded first; default ``sweeps // 2``.
    seed : int, SeedSequence, Generator or None, keyword-only
        Root seed. Patterns come from stream ``disorder`` keyed by (alpha, N,
        sample), initial spins from ``init`` and thermal noise from ``thermal``
        keyed by (alpha, N, T, sample, replica), the random site order from
        ``sites`` keyed by (alpha, N, sweep): results do not depend on which
        other points are in the call.
    start : {'pattern', 'random'}
        Initial spins: pattern 0 (retrieval) or uniformly random.
    backend : {'numpy', 'auto'}
        The NumPy engine ('auto' selects it; a CuPy engine is not provided yet).
    dynamics : :class:`~montecarlo.dynamics.Glauber` (default) or
        :class:`~montecarlo.dynamics.Metropolis`, with ``order``.
    replicas : int >= 1
        Independent replicas per sample and T (2 or more give the overlap q).

    Returns
    -------
    xarray.Dataset
        Dimensions (alpha, T, N, sample). Per-sample time averages (replicas
        averaged) ``m`` (overlap with pattern 0), ``energy`` (per spin) and
        ``q`` (replica overlap of replicas 0 and 1), each with ``<v>_err``, its
        standard error from the time series (``sqrt(2 tau_int var / n)``,
        tau_int by Sokal's window) and ``tau_int_<v>``; ``m_min``, the smallest
        overlap seen, to select samples that stayed in the retrieval basin of a
        metastable retrieval state; ``K`` over (alpha, N).
    """
    dynamics = Glauber() if dynamics is None else dynamics
    if not isinstance(dynamics, UpdateRule):
        raise ValueError(f"dynamics must be a Glauber or Metropolis rule (got {dynamics!r})")
    if not isinstance(model, Model):
        raise ValueError(f"model must be an assoc.models.Model (got {model!r})")
    Ns = _check_sizes(N)
    alphas = check_real("alpha", _as_list("alpha", alpha), low=0.0, low_open=True).tolist()
    Ts = check_real("T", _as_list("T", T), low=0.0).tolist()
    samples = check_int("samples", samples, low=1)
    sweeps = check_int("sweeps", sweeps, low=1)
    burn_in = sweeps // 2 if burn_in is None else check_int("burn_in", burn_in, low=0)
    replicas = check_int("replicas", replicas, low=1)
    check_choice("start", start, STARTS)
    check_choice("backend", backend, BACKENDS)
    if backend == "cupy":
        raise ValueError("backend must be 'numpy' or 'auto': the CuPy Monte Carlo engine is "
                         "not part of this release")
    root = normalize_seed(seed)

    shape = (len(alphas), len(Ts), len(Ns), samples)
    names = ("m", "energy", "q")
    out = {k: np.full(shape, np.nan) for v in names for k in (v, f"{v}_err", f"tau_int_{v}")}
    out["m_min"] = np.full(shape, np.nan)
    Ks = np.zeros((len(alphas), len(Ns)), dtype=np.int64)
    for a, al in enumerate(alphas):
        for n, Nn in enumerate(Ns):
            K = model.n_patterns(al, Nn)
            if K < 1:
                raise ValueError(
                    f"alpha must give at least one pattern: K = {K} at alpha={al}, N={Nn}"
                )
            Ks[a, n] = K
            res = _run_point(model, dynamics, root, al, Nn, K, Ts, samples, sweeps, burn_in,
                             start, replicas)
            for k, v in res.items():
                out[k][a, :, n, :] = v
    dims = ("alpha", "T", "N", "sample")
    with np.errstate(divide="ignore"):
        beta = np.where(np.asarray(Ts) > 0, 1.0 / np.maximum(Ts, 1e-300), np.inf)
    ds = xr.Dataset(
        {k: (dims, v) for k, v in out.items()},
        coords={
            "alpha": alphas,
            "T": Ts,
            "N": Ns,
            "sample": np.arange(samples),
            "beta": ("T", beta),
            "K": (("alpha", "N"), Ks),
        },
    )
    for v, ln in (("m", "Mattis overlap with pattern 0"), ("energy", "energy per spin"),
                  ("q", "overlap of replicas 0 and 1")):
        ds[v].attrs.update(long_name=f"time-averaged {ln}", units="1")
        ds[f"{v}_err"].attrs.update(long_name=f"standard error of the time average of {ln}",
                                    units="1")
        ds[f"tau_int_{v}"].attrs.update(long_name=f"integrated autocorrelation time of {ln}",
                                        units="sweeps")
    ds["m_min"].attrs.update(
        long_name="smallest overlap with pattern 0 over measurement sweeps and replicas",
        units="1",
        comment="select samples that stayed in the retrieval basin with m_min > threshold",
    )
    if replicas < 2:
        ds = ds.drop_vars(["q", "q_err", "tau_int_q"])
    return finalize(
        ds,
        kind="montecarlo",
        model=model.name,
        normalisation=model.normalisation,
        references=["Glauber1963" if dynamics.name == "glauber" else "Metropolis1953",
                    "Salmon2011", "Sokal1997"],
        sampler=f"{type(dynamics).__name__}(order={dynamics.order!r}) single-spin flips",
        engine="numpy (blocked delayed updates, exact integer overlaps)" if model.P == 2
        else "numpy (direct, exact integer energy differences)",
        P=model.P,
        seed=seed_entropy(root),
        sweeps=sweeps,
        burn_in=burn_in,
        replicas=replicas,
        start=start,
        backend="numpy",
    )


def _run_point(model: Model, rule: UpdateRule, root: np.random.SeedSequence, alpha: float,
               N: int, K: int, Ts: list[float], samples: int, sweeps: int, burn_in: int,
               start: str, replicas: int) -> dict[str, np.ndarray]:
    """All temperatures x samples x replicas of one (alpha, N) point; arrays (T, sample)."""
    point = control_key(model=model.name, P=model.P, alpha=alpha, N=N)
    xi = np.stack([
        unbiased(K, N, seed=stream_seed(root, "disorder", point, s)) for s in range(samples)
    ])  # (S, K, N)
    nT = len(Ts)
    R = nT * replicas  # chains of a sample, ordered (T, replica)
    spins = np.empty((samples, R, N), dtype=np.int8)
    keys = np.empty((samples, R, 2), dtype=np.uint64)
    for t, Tv in enumerate(Ts):
        tkey = control_key(model=model.name, P=model.P, alpha=alpha, N=N, T=Tv)
        for s in range(samples):
            for r in range(replicas):
                c = t * replicas + r
                keys[s, c] = philox_key(root, "thermal", tkey, s, r)
                if start == "pattern":
                    spins[s, c] = xi[s, 0]
                else:
                    g = stream_rng(root, "init", tkey, s, r)
                    spins[s, c] = 2 * g.integers(0, 2, N, dtype=np.int8) - 1
    Tchain = np.repeat(np.asarray(Ts, dtype=np.float64), replicas)[None, :].repeat(samples, 0)
    state = init_state(xi, spins)
    if burn_in:
        run_sweeps(model, rule, xi, state, Tchain, keys, burn_in,
                   sites_rng=lambda sw: stream_rng(root, "sites", point, sw))

    ms, es, qs = [], [], []
    from assoc.energy import energy_from_overlaps

    def measure(st):
        Mf = st.M.astype(np.float64)  # (S, K, R)
        ms.append(Mf[:, 0, :] / N)
        es.append(energy_from_overlaps(model, np.moveaxis(Mf, 1, 2), N) / N)
        if replicas >= 2:
            sp = st.spins.reshape(N, samples, nT, replicas)
            qs.append(np.einsum("ist,ist->st", sp[..., 0], sp[..., 1], dtype=np.float64) / N)

    run_sweeps(model, rule, xi, state, Tchain, keys, sweeps, measure=measure,
               sites_rng=lambda sw: stream_rng(root, "sites", point, sw))
    out: dict[str, np.ndarray] = {}
    for name, series in (("m", ms), ("energy", es)):
        x = np.stack(series, axis=-1).reshape(samples, nT, replicas, -1)  # (S, T, rep, time)
        mean, err, tau = mean_and_error(x, axis=-1)
        out[name] = mean.mean(axis=2).T
        out[f"{name}_err"] = (np.sqrt((err**2).sum(axis=2)) / replicas).T
        out[f"tau_int_{name}"] = tau.mean(axis=2).T
        if name == "m":
            out["m_min"] = x.min(axis=(2, 3)).T
    if replicas >= 2:
        x = np.stack(qs, axis=-1)  # (S, T, time)
        mean, err, tau = mean_and_error(x, axis=-1)
        out["q"], out["q_err"], out["tau_int_q"] = mean.T, err.T, tau.T
    return out
