"""``montecarlo.simulate``: equilibrium Monte Carlo of any Hebbian network over a grid.

One entry point for every model: each model declares its controls (Hopfield and dense
``alpha``; multitasking ``d``; learning from examples ``d, r, M``), its starts and its
default number of replicas (:class:`assoc.models.Model`). All chains of one point
(temperatures x samples x replicas) advance together in the compiled engine
(:mod:`montecarlo.point`, :mod:`montecarlo.engine_compiled`), which reproduces the NumPy
engine (:mod:`montecarlo.engine_numpy`, the specification) flip for flip. Campaigns
(:class:`montecarlo.Campaign`) run the same points in tasks and persist them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import xarray as xr

from assoc.models import Model
from assoc.seeding import SeedLike, normalize_seed

from .dynamics import UpdateRule
from .grid import Grid

__all__ = ["simulate"]


def simulate(
    model: Model,
    *,
    N: int | Sequence[int],
    T: float | Sequence[float],
    samples: int,
    sweeps: int,
    burn_in: int | None = None,
    seed: SeedLike = None,
    backend: str = "numpy",
    engine: str = "auto",
    dynamics: UpdateRule | None = None,
    replicas: int | None = None,
    start: str | None = None,
    **controls: Any,
) -> xr.Dataset:
    """Run Monte Carlo over (controls, T, N) with ``samples`` disorder realisations each.

    Parameters
    ----------
    model : :class:`~assoc.models.Hopfield`, :class:`~assoc.models.DenseHebbian`,
        :class:`~assoc.models.MultitaskingHebbian` or :class:`~assoc.models.ExampleHebbian`
    N : int or 1-D sequence, each >= ``model.min_N`` (2; P for dense networks).
    T : temperature(s) >= 0; T = 0 runs zero-temperature dynamics.
    samples : int >= 1
        Disorder realisations (pattern sets) per point; the same patterns serve every T.
    sweeps : int >= 1
        Measurement sweeps (N attempted flips per chain each), after ``burn_in``.
    burn_in : int >= 0, optional
        Sweeps discarded first; default ``sweeps // 2``.
    seed : int, SeedSequence, Generator or None, keyword-only
        Root seed. Patterns come from stream ``disorder`` keyed by the point and the sample,
        initial spins from ``init`` and thermal noise from ``thermal`` keyed by the point,
        T, sample and replica, the random site order from ``sites`` keyed by the point and
        the sweep (:mod:`montecarlo.point`): results do not depend on which other points
        or samples are in the call.
    backend : {'numpy', 'cupy', 'auto'}
        'numpy': host arrays and a CPU engine. 'cupy': the CUDA engine on the GPU
        (:mod:`montecarlo.engine_cuda`; needs the ``gpu`` extra and a device). 'auto':
        'cupy' where a device is present, otherwise 'numpy' with a one-line notice.
    engine : {'auto', 'compiled', 'numpy', 'cuda', 'cuda-host'}
        ``'compiled'`` (what 'auto' selects on the CPU): numba kernels, parallel over the
        chains on all cores (:mod:`montecarlo.engine_compiled`); ``'numpy'``: the NumPy
        engine, the executable specification (:mod:`montecarlo.engine_numpy`);
        ``'cuda'``: the CUDA kernels on the GPU (what 'auto' selects with
        ``backend='cupy'``); ``'cuda-host'``: the same kernels built for the CPU with the
        system C compiler, serial (a check of the GPU code where there is no GPU). All run
        the same chains flip for flip: the results are identical.
    dynamics : :class:`~montecarlo.dynamics.Glauber` (default) or
        :class:`~montecarlo.dynamics.Metropolis`, with ``order``.
    replicas : int >= 1, optional
        Independent replicas per sample and T (2 or more give the overlap q); default
        ``model.default_replicas`` (2 for Hopfield and dense networks, 1 for multitasking).
    start : str, optional
        Initial spins, one of ``model.starts`` (default the first): ``'pattern'`` (pattern
        0, retrieval) or ``'random'``; multitasking networks also ``'hierarchical'`` (the
        first nonzero archetype at each site, their default) and ``'parallel'`` (the sign
        of the sum of archetypes); sites left at 0 are drawn at random.
    **controls
        The model's controls, scalars or 1-D sequences: ``alpha > 0`` (Hopfield and dense:
        ``K = model.n_patterns(alpha, N)``); ``d`` in [0, 1) (multitasking); ``d``, ``r``
        in (0, 1] and ``M >= 1`` (learning from examples).

    Returns
    -------
    xarray.Dataset
        Dimensions (controls..., T, N, sample), and ``pattern`` for multitasking overlaps.
        Per-sample time averages (replicas averaged): ``m`` (overlap with pattern 0;
        multitasking: with each archetype), ``energy`` (per spin, exact), ``n`` (overlaps
        with the example means, learning from examples) and, with two replicas or more,
        ``q`` (overlap of replicas 0 and 1); each with ``<v>_err``, its standard error from
        the time series (``sqrt(2 tau_int var / n)``, tau_int by Sokal's window) and
        ``tau_int_<v>``. Hopfield and dense results add ``m_min``, the smallest overlap
        seen (to select samples that stayed in a metastable retrieval basin), and ``K``
        over (alpha, N).

    Raises
    ------
    ValueError
        Before any work, naming the argument: a missing, extra or invalid control, a start
        the model does not support, N below ``model.min_N``, and
        :class:`~assoc.errors.InsufficientMemoryError` when a point's estimated peak memory
        exceeds what the machine has (naming ``N`` or ``samples``).

    Examples
    --------
    >>> from assoc import Hopfield
    >>> ds = simulate(Hopfield(), N=100, alpha=0.05, T=0.2, samples=2, sweeps=10, seed=1)
    >>> ds.m.dims
    ('alpha', 'T', 'N', 'sample')
    """
    grid = Grid.build(model, N=N, T=T, samples=samples, sweeps=sweeps, burn_in=burn_in,
                      dynamics=dynamics, replicas=replicas, start=start, backend=backend,
                      engine=engine, controls=controls)
    grid.check_memory(grid.samples)
    root = normalize_seed(seed)
    ds = grid.template()
    everything = range(grid.samples)
    for p in grid.points():
        region = dict(zip(grid.model.controls, p.index[:-1], strict=True), N=p.index[-1])
        for name, values in grid.run(root, p, everything).items():
            ds[name][region] = values
    return grid.finalize(ds, root)
