"""The Hopfield retrieval region near saturation at RS and one-step RSB.

Amit, Gutfreund & Sompolinsky, Ann. Phys. 173, 30 (1987) (RS; the AT line of the retrieval
states); Crisanti, Amit & Gutfreund, Europhys. Lett. 2, 337 (1986) (the 1RSB ansatz);
Steffan & Kuhn, Z. Phys. B 95, 249 (1994) (its capacity, 0.138186).  Panel (a) zooms on
the end of the retrieval region: the RS retrieval spinodal ``alpha_c^RS(T)`` (T_M), the AT
line ``T_AT(alpha)`` below which RS retrieval is unstable, and the 1RSB retrieval spinodal
``alpha_c^1RSB(T)`` (:func:`theory.hopfield.rsb.critical_point`), traced from T = 0 up to
the temperature ``T*`` where the AT line meets the RS spinodal: from there up the RS
retrieval fold is replica symmetric and the 1RSB fold is the RS one.  Panel (b): the T = 0
free-energy gain ``f_1RSB - f_RS`` of the retrieval state along alpha
(:func:`theory.hopfield.rsb.solve`), up to the 1RSB alpha_c (past the RS end only the 1RSB
retrieval exists).

    python -m papers hopfield-rsb-lines [--quick] [--out DIR]

Writes ``hopfield_rsb_lines.nc`` and ``hopfield_rsb_lines.png``.  ``--quick``: the 1RSB
spinodal at T = 0 only and a coarse panel (b).
"""

from __future__ import annotations

import time

import numpy as np
import xarray as xr

from assoc.dataset import finalize
from assoc.models import Hopfield
from assoc.progress import progress
from theory import hopfield
from theory.hopfield import rs, rsb

from .._cli import OutputSet, figure_parser, first_rise

#: Settings: temperatures of the RS spinodal, fractions of T* at which the 1RSB spinodal is
#: traced (T* itself is the RS fold), loads of panel (b).
SETTINGS = {
    True: dict(n_spinodal=13, rsb_T=np.array([0.0]), gain_alpha=np.linspace(0.11, 0.138, 5)),
    False: dict(n_spinodal=41, rsb_T=np.array([0.0, 0.2, 0.4, 0.6, 0.8]),
                gain_alpha=np.linspace(0.09, 0.1381, 25)),
}
#: The zoom of panel (a): loads and temperatures.
ALPHA_RANGE, T_RANGE = (0.1355, 0.1384), (0.0, 0.05)


def join_temperature(T: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """``T*``, where the RS retrieval fold turns replica symmetric: the first sign change
    (from below) of the RS replicon (AGS 1987) at the fold ``alpha_c^RS(T)`` on the grid
    ``T``, interpolated linearly (NaN if none).  Returns it with ``alpha_c^RS`` and the
    replicon on the grid."""
    cp = hopfield.critical_point(T)
    a = cp.alpha_c.values
    rep = rs.evaluate(cp.m.values, cp.C.values, a, T)["replicon"]
    return first_rise(T, rep), a, rep


def compute(quick: bool) -> xr.Dataset:
    """The lines of both panels as one Dataset."""
    cfg = SETTINGS[quick]
    T_sp = np.linspace(*T_RANGE, cfg["n_spinodal"])
    T_star, a_sp, rep = join_temperature(T_sp)
    if not np.isfinite(T_star):
        raise RuntimeError("the RS replicon at the retrieval fold does not change sign on "
                           f"T in {T_RANGE}")
    T_r = T_star * cfg["rsb_T"]
    a_r = np.full(T_r.size, np.nan)
    for i, t in enumerate(progress(T_r, desc="1RSB retrieval spinodal", unit="T")):
        ds = rsb.critical_point(float(t), "1RSB")
        a_r[i] = float(ds.alpha_c) if bool(ds.converged) else np.nan
    # the join: the RS fold (replica symmetric there)
    T_r = np.append(T_r, T_star)
    a_r = np.append(a_r, hopfield.critical_capacity(T_star))
    a_at = np.linspace(ALPHA_RANGE[0], float(a_sp[0]), 40)  # T_AT(alpha) up to alpha_c(0)
    at = hopfield.transition_lines(a_at)["T_AT"].values
    g_a = cfg["gain_alpha"]
    gain = rsb.solve(g_a, 0.0, "1RSB").isel(T=0, branch=0)
    out = xr.Dataset(
        {
            "alpha_c_rs": ("T_spinodal", a_sp, {"long_name": "RS retrieval spinodal "
                                                             "alpha_c^RS(T)", "units": "1"}),
            "replicon_rs": ("T_spinodal", rep, {"long_name": "RS replicon at the RS "
                                                             "retrieval fold", "units": "1"}),
            "alpha_c_1rsb": ("T_rsb", a_r, {"long_name": "1RSB retrieval spinodal "
                                                         "alpha_c^1RSB(T)", "units": "1"}),
            "T_AT": ("alpha_at", at, {"long_name": "AT line of the RS retrieval state",
                                      "units": "1"}),
            "delta_f": ("alpha_gain", gain["delta_f"].values,
                        {"long_name": "T = 0 free-energy gain f_1RSB - f_RS of retrieval",
                         "units": "1"}),
            "rsb": ("alpha_gain", gain["rsb"].values,
                    {"long_name": "1RSB resolved from RS at this load", "units": "1"}),
        },
        coords={
            "T_spinodal": ("T_spinodal", T_sp, {"long_name": "temperature", "units": "1"}),
            "T_rsb": ("T_rsb", T_r, {"long_name": "temperature", "units": "1"}),
            "alpha_at": ("alpha_at", a_at, {"long_name": "load", "units": "1"}),
            "alpha_gain": ("alpha_gain", g_a, {"long_name": "load", "units": "1"}),
        },
    )
    return finalize(out, kind="theory", model="hopfield",
                    normalisation=Hopfield().normalisation, T_star=T_star,
                    references=["AGS1987", "CAG1986", "SteffanKuhn1994"],
                    engine="theory.symbolic")


def plot(ds: xr.Dataset, path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11, 4.4))
    ax.plot(ds.alpha_c_rs, ds.T_spinodal, "b-", label=r"$T_M$: RS retrieval spinodal")
    ax.plot(ds.alpha_at, ds.T_AT, "g--", label=r"$T_{AT}$: RS retrieval unstable below")
    ok = np.isfinite(ds.alpha_c_1rsb.values)
    ax.plot(ds.alpha_c_1rsb.values[ok], ds.T_rsb.values[ok], "rs-", ms=4,
            label="1RSB retrieval spinodal")
    ax.axhline(ds.attrs["T_star"], color="0.6", lw=0.8, ls=":")
    ax.set(xlabel=r"$\alpha = K/N$", ylabel="T", xlim=ALPHA_RANGE, ylim=T_RANGE,
           title="Hopfield model: end of the retrieval region")
    ax.legend(fontsize=8, loc="upper left")
    g = ds.delta_f.values
    pos = np.isfinite(g) & (g > 0)
    ax2.semilogy(ds.alpha_gain.values[pos], g[pos], "ko-", ms=3)
    ax2.axvline(hopfield.critical_capacity(0.0), color="b", lw=0.8,
                label=r"$\alpha_c^{RS}(T=0)$")
    ax2.set(xlabel=r"$\alpha$", ylabel=r"$f_{1RSB} - f_{RS}$",
            title="T = 0: free-energy gain of 1RSB retrieval")
    ax2.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)


def main(argv: list[str]) -> int:
    ap = figure_parser("hopfield-rsb-lines", __doc__.splitlines()[0])
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    ds = compute(args.quick)
    with OutputSet(args) as out:
        out.netcdf(ds, "hopfield_rsb_lines.nc")
        out.figure(lambda p: plot(ds, p), "hopfield_rsb_lines.png")
    print(f"alpha_c(T=0): RS {float(ds.alpha_c_rs[0]):.10f}, 1RSB "
          f"{float(ds.alpha_c_1rsb[0]):.10f}; the AT line meets the RS spinodal at "
          f"T* = {ds.attrs['T_star']:.5f}")
    print("1RSB retrieval spinodal: " + ", ".join(
        f"{a:.7f} (T = {t:.4f})" for a, t in zip(ds.alpha_c_1rsb.values, ds.T_rsb.values,
                                                  strict=True)))
    print(f"wrote {out.summary()} in {time.perf_counter() - t0:.1f} s")
    return 0
