"""Ground-state (T = 0) critical capacities of dense P-spin Hebbian networks, RS and 1RSB.

Albanese, Alemanno, Alessandrelli & Barra, arXiv:2111.12997 (ground-state analysis in the
Baldi-Venkatesh high-storage regime K = alpha N^(P-1)); the values are derived here
(:func:`theory.dense.critical_capacity`) in the library convention (distinct indices,
``H = -(1/N^(P-1)) sum_mu e_P(xi^mu s)``).  The table also gives the low-load (alpha = 0)
retrieval spinodal T_M and transition T_c, and every quantity in each convention of
:data:`theory.dense.CONVENTIONS` (alpha is the same in all three; ``T_albanese = P! T``).

    python -m papers dense-capacity [--quick] [--out DIR]

Writes ``dense_capacity.nc`` and ``dense_capacity.png`` and prints the table (committed as
``benchmarks/results/dense_capacity_table.txt``).  ``--quick``: RS only; ``--rsb-P 3 4``:
1RSB only at those P (each 1RSB fold takes from half a minute to a few minutes on one core).
A fold that does not converge is reported as nan.
"""

from __future__ import annotations

import math
import time

import numpy as np
import xarray as xr

from assoc.dataset import finalize
from assoc.errors import NotConvergedError
from assoc.models import DenseHebbian
from assoc.progress import progress
from theory import dense

from .._cli import OutputSet, figure_parser

PS = tuple(range(3, 11))


def _global_minimum(P: int, ansatz: str) -> float:
    """:func:`theory.dense.global_minimum_load`, NaN where it was not located."""
    try:
        return dense.global_minimum_load(P, ansatz)
    except NotConvergedError:
        return math.nan


def compute(Ps=PS, rsb: bool | tuple[int, ...] = True) -> xr.Dataset:
    """alpha_c (RS, 1RSB), m at alpha_c and the low-load lines for each P."""
    n = len(Ps)
    data = {k: np.full(n, np.nan) for k in ("alpha_c_rs", "alpha_c_rsb", "m_c_rs", "m_c_rsb",
                                            "T_M0", "T_c0", "alpha_sn", "alpha_gm_rs",
                                            "alpha_gm_rsb")}
    conv = {k: np.zeros(n, bool) for k in ("converged_rs", "converged_rsb")}
    for i, P in progress(list(enumerate(Ps)), desc="dense capacity", unit="P"):
        ds = dense.critical_point(P, 0.0, "RS")
        data["alpha_c_rs"][i], data["m_c_rs"][i] = float(ds.alpha_c), float(ds.m)
        conv["converged_rs"][i] = bool(ds.converged)
        data["alpha_gm_rs"][i] = _global_minimum(P, "RS")
        if rsb is True or (rsb and P in rsb):
            ds = dense.critical_point(P, 0.0, "1RSB")
            data["alpha_c_rsb"][i], data["m_c_rsb"][i] = float(ds.alpha_c), float(ds.m)
            conv["converged_rsb"][i] = bool(ds.converged)
            data["alpha_gm_rsb"][i] = _global_minimum(P, "1RSB")
        low = dense.low_load_lines(P)
        data["T_M0"][i], data["T_c0"][i] = low["T_M"], low["T_c"]
        data["alpha_sn"][i] = 1.0 / math.factorial(P - 1)
    meta = {
        "alpha_c_rs": "RS critical load at T = 0 (library alpha = K/N^(P-1))",
        "alpha_c_rsb": "1RSB critical load at T = 0 (library alpha)",
        "m_c_rs": "RS retrieval overlap at alpha_c",
        "m_c_rsb": "1RSB retrieval overlap at alpha_c",
        "T_M0": "low-load retrieval spinodal (library T)",
        "T_c0": "low-load retrieval transition (library T)",
        "alpha_sn": "signal-to-noise load scale 1/(P-1)!",
        "alpha_gm_rs": "RS T = 0 load above which retrieval is not the global minimum",
        "alpha_gm_rsb": "1RSB T = 0 load above which retrieval is not the global minimum",
        "converged_rs": "RS fold located",
        "converged_rsb": "1RSB fold located (False where not computed)",
    }
    out = xr.Dataset({k: ("P", v) for k, v in {**data, **conv}.items()},
                     coords={"P": np.array(Ps)})
    for k, ln in meta.items():
        out[k].attrs.update(long_name=ln, units="1")
    return finalize(out, kind="theory", model="dense_hebbian",
                    normalisation=DenseHebbian(3).normalisation.replace("P = 3", "P = 3..10"),
                    references=["Albanese2021", "Gardner1987", "BaldiVenkatesh1987"],
                    conventions="library; mattis (same alpha, T); albanese (same alpha, "
                                "T_A = P! T)")


def table(ds: xr.Dataset) -> str:
    lines = [
        "Dense P-spin Hebbian network: ground-state critical capacity alpha_c (K = alpha_c "
        "N^(P-1)), RS and 1RSB,",
        "low-load (alpha = 0) retrieval spinodal T_M and transition T_c, and the T = 0 load "
        "a_gm above which retrieval is not the global minimum (theory.dense.global_minimum_load).",
        "alpha is the same in the 'library' (distinct indices), 'mattis' (-(N/P!) sum m^P) "
        "and 'albanese' (-N sum m^P)",
        "conventions; temperatures: T_library = T_mattis, T_albanese = P! T_library "
        "(theory.dense.convert).",
        "",
        f"{'P':>2} {'alpha_c RS':>13} {'alpha_c 1RSB':>13} {'1RSB/RS':>8} {'m_c RS':>8} "
        f"{'m_c 1RSB':>8} {'(P-1)! a_RS':>11} {'(P-1)! a_1RSB':>13} {'T_M lib':>11} "
        f"{'T_c lib':>11} {'T_M alb':>9} {'T_c alb':>9} {'a_gm RS':>13} {'a_gm 1RSB':>13}",
    ]
    for i, P in enumerate(ds.P.values):
        r = {k: float(ds[k].values[i]) for k in ("alpha_c_rs", "alpha_c_rsb", "m_c_rs",
                                                   "m_c_rsb", "T_M0", "T_c0", "alpha_gm_rs",
                                                   "alpha_gm_rsb")}
        f = math.factorial(int(P))
        fm = math.factorial(int(P) - 1)
        ratio = r["alpha_c_rsb"] / r["alpha_c_rs"]
        lines.append(
            f"{int(P):>2} {r['alpha_c_rs']:>13.6e} {r['alpha_c_rsb']:>13.6e} {ratio:>8.4f} "
            f"{r['m_c_rs']:>8.5f} {r['m_c_rsb']:>8.5f} {fm * r['alpha_c_rs']:>11.6f} "
            f"{fm * r['alpha_c_rsb']:>13.6f} {r['T_M0']:>11.4e} {r['T_c0']:>11.4e} "
            f"{f * r['T_M0']:>9.5f} {f * r['T_c0']:>9.5f} {r['alpha_gm_rs']:>13.6e} "
            f"{r['alpha_gm_rsb']:>13.6e}")
    return "\n".join(lines)


def plot(ds: xr.Dataset, path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4.2))
    fm = np.array([math.factorial(int(P) - 1) for P in ds.P.values])
    ax.plot(ds.P, fm * ds.alpha_c_rs, "bo-", label="RS")
    if np.isfinite(ds.alpha_c_rsb).any():
        ax.plot(ds.P, fm * ds.alpha_c_rsb, "rs--", label="1RSB")
    ax.set(xlabel="P", ylabel=r"$(P-1)!\,\alpha_c$  ($K = \alpha_c N^{P-1}$)",
           title="dense Hebbian network: ground-state capacity")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)


def main(argv: list[str]) -> int:
    ap = figure_parser("dense-capacity", __doc__.splitlines()[0])
    ap.add_argument("--rsb-P", type=int, nargs="*", default=list(PS),
                    help="interaction orders with a 1RSB fold (default 3..10; each takes "
                         "up to a few minutes)")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    ds = compute(PS, rsb=False if args.quick else tuple(args.rsb_P))
    with OutputSet(args) as out:
        out.netcdf(ds, "dense_capacity.nc")
        out.figure(lambda p: plot(ds, p), "dense_capacity.png")
    print(table(ds))
    print(f"wrote {out.summary()} in {time.perf_counter() - t0:.1f} s")
    return 0
