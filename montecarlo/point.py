"""One grid point of any model: its disorder, its chains and their measurement.

A *point* is one value of the model's controls (``alpha``; ``d``; ``d, r, M``) and one size
``N``. All its temperatures x replicas advance together as the chains of each disorder
sample, in the compiled engine (:mod:`montecarlo.engine_compiled`) or, identically, the NumPy
engine (:mod:`montecarlo.engine_numpy`, the specification). A point and a set of sample
indices is the unit of work of :func:`montecarlo.simulate` (all samples at once) and of a
campaign task (a block of samples): the result of sample ``s`` depends only on the root
seed, the point and ``s``, never on the other samples or points computed beside it.

Every model runs on the same engine through *integer patterns with a scale*: the couplings
are ``scale * (1/N^(P-1))`` times a Hebbian sum over integer patterns ``X`` (the patterns
themselves, scale 1; the summed examples of a supervised network, scale ``1/(R M^2)``; all
``K M`` examples, scale ``1/(R M)``), so overlaps are exact integers updated in O(K) per
flip. A model family (:class:`_Hebbian`, :class:`_Multitasking`) says how its patterns,
seed keys and observables are made; everything else is shared.

Seed keys (unchanged since the first release). Hopfield and dense: patterns from stream
``disorder`` keyed by ``(point, sample)`` with ``point = control_key(model, P, alpha, N)``;
multitasking: archetypes by ``(point, sample, 0)`` with ``point = control_key(model=
'multitasking', K, d, N)`` and example ``a`` by ``(point, sample, 1, a)``. Initial spins
``init`` and thermal noise ``thermal`` are keyed by the point's temperature key, the sample
and the replica; the random site order ``sites`` by the point key and the sweep.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np

from assoc.energy import elementary_from_power_sums, energy_from_overlaps
from assoc.models import DenseExampleHebbian, ExampleHebbian, Model, MultitaskingHebbian
from assoc.patterns import diluted, unbiased
from assoc.seeding import control_key, philox_key, stream_rng, stream_seed

from . import engine_compiled, engine_cuda, engine_numpy
from .dynamics import UpdateRule
from .engine_numpy import exact_dtype
from .observables import mean_and_error

__all__ = ["Sampler", "Observable", "family", "run_point", "start_configuration",
           "point_memory", "ENGINES"]

#: Monte Carlo engines: the numba kernels (default on the CPU), the NumPy specification, the
#: CUDA kernels on the GPU and the same kernels built for the CPU (serial, for checks); all
#: give the same chains flip for flip, so the choice never changes a result.
ENGINES = ("compiled", "numpy", "cuda", "cuda-host")


@dataclass(frozen=True)
class Sampler:
    """What every point of a call shares: the rule, the temperatures and the run lengths.

    Attributes
    ----------
    rule : Glauber or Metropolis update rule.
    T : temperatures (T = 0 runs zero-temperature dynamics).
    sweeps : measurement sweeps; burn_in : sweeps discarded first.
    replicas : independent chains per sample and temperature.
    start : initial configuration (one of the model's ``starts``).
    engine : ``'compiled'`` (:mod:`~montecarlo.engine_compiled`), ``'numpy'``
        (:mod:`~montecarlo.engine_numpy`, the specification), ``'cuda'`` or ``'cuda-host'``
        (:mod:`~montecarlo.engine_cuda` on the GPU, or built for the CPU): the same chains
        whichever it is.
    """

    rule: UpdateRule
    T: tuple[float, ...]
    sweeps: int
    burn_in: int
    replicas: int
    start: str
    engine: str = "compiled"

    @property
    def chains(self) -> int:
        """Chains per sample: temperatures x replicas."""
        return len(self.T) * self.replicas


@dataclass(frozen=True)
class Observable:
    """A measured quantity: its name, what it is, and whether it has a ``pattern`` axis."""

    name: str
    label: str
    per_pattern: bool = False


def start_configuration(xi: np.ndarray, start: str,
                        fill: Callable[[], np.ndarray]) -> np.ndarray:
    """Initial spins from patterns ``xi`` (K, N); ``fill()`` (+-1, N) where undetermined.

    ``hierarchical``: the first nonzero pattern at each site; ``parallel``: the sign of
    ``sum_mu xi^mu_i``; ``pattern``: pattern 1; ``random``: ``fill()``. ``fill`` is called
    only when some site is undetermined (a zero entry, or the random start).
    """
    if start == "random":
        return np.asarray(fill()).astype(np.int8)
    if start == "hierarchical":
        nz = xi != 0
        first = np.where(nz.any(0), xi[nz.argmax(0), np.arange(xi.shape[1])], 0)
    elif start == "parallel":
        first = np.sign(xi.astype(np.int64).sum(0))
    else:
        first = xi[0]
    if np.all(first != 0):
        return first.astype(np.int8)
    return np.where(first != 0, first, fill()).astype(np.int8)


def _examples(root: np.random.SeedSequence, point: int, xi: np.ndarray, r: float, M: int,
              samples: Sequence[int]) -> np.ndarray:
    """Examples (S, K, M, N) of the archetypes ``xi`` (S, K, N), ``eta = xi chi`` with
    ``P(chi = -1) = (1 - r)/2`` (:func:`assoc.patterns.noisy_examples`).

    Sample s draws its uniforms from one stream ``disorder`` keyed ``(point, s, 1)``, example
    after example (the K N uniforms of example a follow those of example a - 1), in blocks
    of about 2**20 uniforms. So the uniforms are shared by every r, the examples of a larger
    M extend those of a smaller one, and a million examples cost one pass of the generator
    (not a million streams).
    """
    S, K, N = xi.shape
    eta = np.empty((S, K, M, N), dtype=np.int8)
    keep = (1.0 + r) / 2.0  # chi = +1 where the uniform is below it
    block = max(1, (1 << 20) // max(K * N, 1))
    for i, s in enumerate(samples):
        rng = stream_rng(root, "disorder", point, s, 1)
        for a in range(0, M, block):
            b = min(M, a + block)
            chi = np.where(rng.random((b - a, K, N)) >= keep, -1, 1).astype(np.int8)
            eta[i, :, a:b] = (xi[i][None] * chi).transpose(1, 0, 2)
    return eta


class _Hebbian:
    """Hopfield and dense P-spin networks: unbiased +-1 patterns, ``K`` set by ``alpha``."""

    def observables_of(self, model: Model) -> tuple[Observable, ...]:
        return (Observable("m", "Mattis overlap with pattern 0"),
                Observable("energy", "energy per spin"))

    def n_patterns(self, model: Model, c: dict[str, Any], N: int) -> int:
        return model.n_patterns(c["alpha"], N)

    def point_key(self, model: Model, c: dict[str, Any], N: int) -> int:
        return control_key(model=model.name, P=model.P, alpha=c["alpha"], N=N)

    def temperature_key(self, model: Model, c: dict[str, Any], N: int, T: float) -> int:
        return control_key(model=model.name, P=model.P, alpha=c["alpha"], N=N, T=T)

    def patterns(self, model: Model, root: np.random.SeedSequence, c: dict[str, Any], N: int,
                 samples: Sequence[int]) -> tuple[np.ndarray, np.ndarray, float]:
        K = self.n_patterns(model, c, N)
        point = self.point_key(model, c, N)
        xi = np.empty((len(samples), K, N), dtype=np.int8)  # filled in place: one copy
        for i, s in enumerate(samples):
            xi[i] = unbiased(K, N, seed=stream_seed(root, "disorder", point, s))
        return xi, xi, 1.0

    def fill(self, root: np.random.SeedSequence, tkey: int, s: int, rep: int,
             N: int) -> np.ndarray:
        return 2 * stream_rng(root, "init", tkey, s, rep).integers(0, 2, N, dtype=np.int8) - 1

    def measurer(self, model: Model, c: dict[str, Any], xi: np.ndarray, X: np.ndarray,
                 scale: float) -> Callable[[np.ndarray, np.ndarray], dict[str, np.ndarray]]:
        N = xi.shape[-1]

        def series(M: np.ndarray, spins: np.ndarray) -> dict[str, np.ndarray]:
            Mf = M.astype(np.float64)  # (S, K, R)
            return {"m": Mf[:, 0, :] / N,
                    "energy": energy_from_overlaps(model, np.moveaxis(Mf, 1, 2), N) / N}

        return series


class _Multitasking:
    """Diluted archetypes (low storage, fixed K), couplings from them or from examples."""

    def observables_of(self, model: MultitaskingHebbian) -> tuple[Observable, ...]:
        obs = (Observable("m", "Mattis overlap with archetype mu", True),
               Observable("energy", "energy per spin"))
        if isinstance(model, ExampleHebbian):
            obs += (Observable("n", "overlap with the example mean of archetype mu", True),)
        return obs

    def n_patterns(self, model: Model, c: dict[str, Any], N: int) -> int:
        return model.n_patterns()

    def point_key(self, model: Model, c: dict[str, Any], N: int) -> int:
        return control_key(model=model.name, K=model.K, d=c["d"], N=N, r=c.get("r", -1.0),
                           M=c.get("M", 0), protocol=getattr(model, "protocol", "none"))

    def temperature_key(self, model: Model, c: dict[str, Any], N: int, T: float) -> int:
        return control_key(point=self.point_key(model, c, N), T=T)

    def patterns(self, model: Model, root: np.random.SeedSequence, c: dict[str, Any], N: int,
                 samples: Sequence[int]) -> tuple[np.ndarray, np.ndarray, float]:
        K = model.K
        point = control_key(model="multitasking", K=K, d=c["d"], N=N)
        xi = np.stack([diluted(K, N, c["d"], seed=stream_seed(root, "disorder", point, s, 0))
                       for s in samples])
        if not isinstance(model, ExampleHebbian):
            return xi, xi, 1.0
        r, M = c["r"], c["M"]
        eta = _examples(root, point, xi, r, M, samples)
        X, scale = model.integer_patterns(eta, r)
        return xi, X, scale

    def fill(self, root: np.random.SeedSequence, tkey: int, s: int, rep: int,
             N: int) -> np.ndarray:
        return 2 * stream_rng(root, "init", tkey, s, rep).integers(0, 2, N) - 1

    def measurer(self, model: Model, c: dict[str, Any], xi: np.ndarray, X: np.ndarray,
                 scale: float) -> Callable[[np.ndarray, np.ndarray], dict[str, np.ndarray]]:
        S, K, N = xi.shape
        examples = isinstance(model, ExampleHebbian)
        Mex = c["M"] if examples else 1
        xif = xi.astype(np.float64) if examples else None
        self_energy = scale * (X.astype(np.float64) ** 2).sum(axis=(1, 2)) / (2.0 * N)  # (S,)

        def series(M: np.ndarray, spins: np.ndarray) -> dict[str, np.ndarray]:
            Mf = M.astype(np.float64)  # (S, K', R)
            out = {"energy": (-scale * (Mf * Mf).sum(1) / (2.0 * N) + self_energy[:, None]) / N}
            if not examples:
                out["m"] = np.moveaxis(Mf / N, 1, 2)
                return out
            sp = spins.astype(np.float64)  # (N, S, R)
            out["m"] = np.moveaxis(np.einsum("skn,nsr->skr", xif, sp) / N, 1, 2)
            if model.protocol == "supervised":
                n = Mf / (N * Mex)
            else:
                n = Mf.reshape(S, K, Mex, -1).mean(2) / N
            out["n"] = np.moveaxis(n, 1, 2)
            return out

        return series


class _DenseExamples:
    """Dense networks trained on examples (:class:`assoc.models.DenseExampleHebbian`):
    unbiased archetypes, their noisy examples, and the coupling patterns built from them
    (supervised with M > 1 at P > 2: stacked with their odd powers, NumPy engine)."""

    def observables_of(self, model: Model) -> tuple[Observable, ...]:
        return (Observable("m", "overlap with archetype 0"),
                Observable("n", "overlap with xihat^0 = (1/(r M)) sum_a eta^(0,a) (the "
                                "example overlaps are r n)"),
                Observable("energy", "energy per spin"))

    def n_patterns(self, model: Model, c: dict[str, Any], N: int) -> int:
        return model.n_patterns(c["alpha"], N)

    def point_key(self, model: Model, c: dict[str, Any], N: int) -> int:
        return control_key(model=model.name, P=model.P, alpha=c["alpha"], N=N, r=c["r"],
                           M=c["M"], protocol=model.protocol, load=model.load)

    def temperature_key(self, model: Model, c: dict[str, Any], N: int, T: float) -> int:
        return control_key(point=self.point_key(model, c, N), T=T)

    def patterns(self, model: Model, root: np.random.SeedSequence, c: dict[str, Any], N: int,
                 samples: Sequence[int]) -> tuple[np.ndarray, np.ndarray, float]:
        K, r, M = self.n_patterns(model, c, N), c["r"], c["M"]
        # archetypes and examples are shared by every (r, M, protocol) (see _examples)
        point = control_key(model=model.name, P=model.P, alpha=c["alpha"], N=N,
                            load=model.load)
        xi = np.stack([unbiased(K, N, seed=stream_seed(root, "disorder", point, s, 0))
                       for s in samples])
        eta = _examples(root, point, xi, r, M, samples)
        X, scale = model.coupling_patterns(eta, r)
        return xi, model.stacked_powers(X, M), scale

    def fill(self, root: np.random.SeedSequence, tkey: int, s: int, rep: int,
             N: int) -> np.ndarray:
        return 2 * stream_rng(root, "init", tkey, s, rep).integers(0, 2, N, dtype=np.int8) - 1

    def measurer(self, model: Model, c: dict[str, Any], xi: np.ndarray, X: np.ndarray,
                 scale: float) -> Callable[[np.ndarray, np.ndarray], dict[str, np.ndarray]]:
        S, K, N = xi.shape
        P, r, Mex, L = model.P, c["r"], c["M"], model.odd_powers(c["M"])
        sup = model.protocol == "supervised"
        Kx = X.shape[1] // L
        xif = xi[:, 0, :].astype(np.float64)  # archetype 0 (S, N)
        X1 = X[:, :Kx, :].astype(np.float64)
        even = {k: (X1**k).sum(axis=2)[:, :, None] for k in range(2, P + 1, 2)}  # (S, Kx, 1)

        def series(M: np.ndarray, spins: np.ndarray) -> dict[str, np.ndarray]:
            Mf = M.astype(np.float64)  # (S, Kx L, R)
            sp = spins.astype(np.float64)  # (N, S, R)
            # odd k: the overlap with X^k (+-1 patterns: X^k = X, block 0)
            p = [Mf[:, min(k // 2, L - 1) * Kx:(min(k // 2, L - 1) + 1) * Kx] if k % 2
                 else np.broadcast_to(even[k], Mf[:, :Kx].shape) for k in range(1, P + 1)]
            eP = elementary_from_power_sums(p)[P]  # (S, Kx, R)
            n = Mf[:, 0] / (N * r * Mex) if sup else Mf[:, :Mex].mean(1) / (N * r)
            return {"m": np.einsum("sn,nsr->sr", xif, sp) / N, "n": n,
                    "energy": -scale * eP.sum(1) / float(N) ** (P - 1) / N}

        return series


_HEBBIAN, _MULTITASKING, _DENSE_EXAMPLES = _Hebbian(), _Multitasking(), _DenseExamples()


def family(model: Model) -> _Hebbian | _Multitasking | _DenseExamples:
    """The family object of ``model`` (patterns, keys and observables)."""
    if isinstance(model, DenseExampleHebbian):
        return _DENSE_EXAMPLES
    return _MULTITASKING if isinstance(model, MultitaskingHebbian) else _HEBBIAN


def observables(model: Model, replicas: int) -> tuple[Observable, ...]:
    """Time-averaged observables of ``model``'s points (q with two replicas or more)."""
    obs = family(model).observables_of(model)
    if replicas >= 2:
        obs += (Observable("q", "overlap of replicas 0 and 1"),)
    return obs


def run_point(model: Model, sampler: Sampler, root: np.random.SeedSequence,
              controls: dict[str, Any], N: int, samples: Sequence[int],
              threads: int | None = None) -> dict[str, np.ndarray]:
    """Run the chains of samples ``samples`` at one point; arrays (T, sample[, pattern]).

    ``threads`` caps the compiled engine's threads (default: all cores; campaign workers,
    one per core, use 1).

    Returns, for each observable ``v`` of :func:`observables`, the per-sample time average
    ``v`` (replicas averaged), its standard error ``v_err`` (``sqrt(2 tau var / n)``) and
    ``tau_int_v``; Hopfield and dense points also give ``m_min``, the smallest overlap
    with pattern 0 seen over measurement sweeps and replicas.
    """
    fam = family(model)
    samples = [int(s) for s in samples]
    S, nT, reps = len(samples), len(sampler.T), sampler.replicas
    xi, X, scale = fam.patterns(model, root, controls, N, samples)
    spins = np.empty((S, nT * reps, N), dtype=np.int8)  # chains of a sample: (T, replica)
    keys = np.empty((S, nT * reps, 2), dtype=np.uint64)
    for t, Tv in enumerate(sampler.T):
        tkey = fam.temperature_key(model, controls, N, Tv)
        for i, s in enumerate(samples):
            for rep in range(reps):
                ch = t * reps + rep
                keys[i, ch] = philox_key(root, "thermal", tkey, s, rep)
                spins[i, ch] = start_configuration(
                    xi[i], sampler.start,
                    lambda tkey=tkey, s=s, rep=rep: fam.fill(root, tkey, s, rep, N))
    Tchain = np.repeat(np.asarray(sampler.T, dtype=np.float64), reps)[None, :].repeat(S, 0)
    series = fam.measurer(model, controls, xi, X, scale)
    L = model.odd_powers(controls["M"]) if isinstance(model, DenseExampleHebbian) else 1
    if L > 1 and sampler.engine != "numpy":
        raise ValueError(f"engine must be 'numpy' for {model!r} with M > 1 (got "
                         f"{sampler.engine!r}): its summed examples are not +-1 patterns")
    if sampler.engine == "numpy":
        state: Any = engine_numpy.init_state(X, spins)
        run_sweeps: Callable[..., Any] = partial(engine_numpy.run_sweeps, odd_powers=L)
    elif sampler.engine == "compiled":  # the state keeps its own copy of the patterns
        state = engine_compiled.init_state(X, spins, model.P)
        run_sweeps = partial(engine_compiled.run_sweeps, threads=threads)
        xi = X = None  # type: ignore[assignment]
    else:
        device = "cuda" if sampler.engine == "cuda" else "host"
        state = engine_cuda.init_state(X, spins, model.P, device=device)
        run_sweeps = engine_cuda.run_sweeps
        xi = X = None  # type: ignore[assignment]
    pkey = fam.point_key(model, controls, N)
    sites = lambda sw: stream_rng(root, "sites", pkey, sw)  # noqa: E731
    rule = sampler.rule
    if sampler.burn_in:
        run_sweeps(model, rule, X, state, Tchain, keys, sampler.burn_in, sites_rng=sites,
                   scale=scale)
    recorded: dict[str, list[np.ndarray]] = {}
    qs: list[np.ndarray] = []

    def measure(st) -> None:
        for k, v in series(st.M, st.spins).items():
            recorded.setdefault(k, []).append(v)
        if reps >= 2:
            sp = st.spins.reshape(N, S, nT, reps)
            qs.append(np.einsum("ist,ist->st", sp[..., 0], sp[..., 1], dtype=np.float64) / N)

    run_sweeps(model, rule, X, state, Tchain, keys, sampler.sweeps, measure=measure,
               sites_rng=sites, scale=scale)
    out: dict[str, np.ndarray] = {}
    for name, ser in recorded.items():
        x = np.stack(ser, axis=-1)  # (S, R, [K,] time)
        x = x.reshape((S, nT, reps) + x.shape[2:])  # (S, T, rep, [K,] time)
        mean, err, tau = mean_and_error(x, axis=-1)
        mean, err, tau = mean.mean(2), np.sqrt((err**2).sum(2)) / reps, tau.mean(2)
        for k, v in ((name, mean), (f"{name}_err", err), (f"tau_int_{name}", tau)):
            out[k] = np.swapaxes(v, 0, 1)  # (T, S, [K])
        if name == "m" and fam is not _MULTITASKING:
            out["m_min"] = x.min(axis=(2, 3)).T
    if reps >= 2:
        x = np.stack(qs, axis=-1)  # (S, T, time)
        mean, err, tau = mean_and_error(x, axis=-1)
        out["q"], out["q_err"], out["tau_int_q"] = mean.T, err.T, tau.T
    return out


def point_memory(model: Model, sampler: Sampler, controls: dict[str, Any], N: int,
                 n_samples: int) -> int:
    """Estimated peak bytes of :func:`run_point` for ``n_samples`` samples at one point.

    Counts what the engine holds at once in host memory (tested against ``tracemalloc``,
    for the CPU engines): the int8 patterns and examples; for the compiled engine (and the
    CUDA engine's host side) its site-major int8 copy and O(chains x (N + K)) chain state;
    for the NumPy engine its two float copies of the coupling patterns (and the int64 ones
    :func:`~montecarlo.engine_numpy.init_state` forms), the spins and the double-buffered
    thresholds with their float64 uniforms, the dense path's elementary symmetric
    polynomials, and the recorded time series. Computed from the sizes alone: nothing is
    allocated.
    """
    fam = family(model)
    S, R = int(n_samples), sampler.chains
    K = fam.n_patterns(model, controls, N)
    Kx, max_abs, n_ex = K, 1, 0
    examples = isinstance(model, (ExampleHebbian, DenseExampleHebbian))
    if examples:
        Mex = int(controls["M"])
        n_ex = K * Mex
        L = model.odd_powers(Mex) if isinstance(model, DenseExampleHebbian) else 1
        Kx = K * L if model.protocol == "supervised" else K * Mex
        max_abs = Mex ** (2 * L - 1) if model.protocol == "supervised" else 1
        if L > 1:
            n_ex += 8 * Kx  # the int64 stack of odd powers
    SN = float(S) * N
    obs = observables(model, sampler.replicas)
    per_sweep = sum(K if o.per_pattern else 1 for o in obs) * S * R * 8.0
    measure = SN * R * 8 if examples else 0.0  # float64 spins
    series = per_sweep * sampler.sweeps * 2  # recorded lists, then stacked
    if sampler.engine != "numpy":  # the CUDA engine's host side holds no more
        # int8 archetypes and coupling patterns, the engine's site-major copy (padded to 16)
        # and self-couplings; per chain its start spins, spins, overlaps (<= 8 bytes; dense:
        # A and B too), lazy fields (16 bytes a site) and its Philox block and counter (128
        # bytes); one sample's float64 products at initialisation, the overlaps read as
        # float64 at each measurement
        Kp = -(-Kx // 16) * 16
        patterns = SN * (K + Kx + (3 * n_ex if n_ex and model.protocol == "supervised"
                                   else n_ex) + Kp + 8)
        per_chain = 2 * N + 16 * N + 8 * Kp + (16 * Kp if model.P > 2 else 0) + 128
        init = 8.0 * N * (Kx + R) + 8.0 * S * R * Kx
        return int(patterns + S * R * per_chain + init + measure + series + 2**24)
    item = np.dtype(exact_dtype(N, Kx, max_abs)).itemsize
    # int8 archetypes and coupling patterns; supervised examples are summed through int16
    patterns = SN * (K + Kx + (3 * n_ex if n_ex and model.protocol == "supervised" else n_ex))
    if model.P == 2:
        # xif and xiT, the cached blocks of a sequential sweep (a third copy), and the
        # int64 temporary of the self-couplings c_i, with |xi|
        engine = SN * Kx * (3 * item + 10)
    else:
        engine = SN * Kx * (2 * item + 2)
    # int8 start spins, the state, two threshold buffers, float64 uniforms and their
    # transform (and its T = 0 copy), the Philox words and halves, the int64 init copy
    chains = SN * R * (1 + 3 * item + 3 * 8 + 8 + 8)
    dense = 0.0 if model.P == 2 else float(S) * Kx * R * 8 * (model.P + 6)
    return int(patterns + engine + chains + dense + measure + series + 2**25)  # + Philox chunks
