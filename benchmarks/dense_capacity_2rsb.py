"""T = 0 critical capacity of the dense P-spin network at RS, 1RSB and 2RSB, from the engine.

Run: ``python benchmarks/dense_capacity_2rsb.py [P ...]`` (default P = 3..10;
``--table`` rewrites the table from the stored rows, computing nothing).  For each P
it calls :func:`theory.dense.critical_point` with ``ansatz`` RS, 1RSB and 2RSB at T = 0
(the 2RSB fold is seeded by the 1RSB one; module notes of :mod:`theory.dense.capacity`),
prints a row as soon as it is done, and writes ``benchmarks/results/dense_capacity_2rsb.txt``
and ``.json``.  P = 3, 4, 5 are compared with the independent derivation
``benchmarks/dense_2rsb_independent.py`` (its results file, when present).
"""

from __future__ import annotations

import json
import re
import sys
import time

from _common import RESULTS, machine, write

from assoc.errors import NotConvergedError
from theory import dense, hopfield


def _independent() -> dict[int, float]:
    """alpha_c^2RSB of the independent derivations, from their results files (P = 2:
    ``hopfield_2rsb_independent.txt``; P >= 3: ``dense_2rsb_independent.txt``)."""
    out = {}
    path = RESULTS / "dense_2rsb_independent.txt"
    if path.exists():
        for line in path.read_text().splitlines():
            m = re.match(r"\s*(\d+)\s+([0-9.]+)\s+([0-9.]+)\s+([0-9.]+)\s+([0-9.]+)\s", line)
            if m:
                out[int(m.group(1))] = float(m.group(5))
    path = RESULTS / "hopfield_2rsb_independent.txt"
    if path.exists():
        for line in path.read_text().splitlines():
            m = re.match(r"\s*2RSB\s+([0-9.]+)\s", line)
            if m:
                out[2] = float(m.group(1))
    return out


def _row(P: int, r: dict, ref: dict[int, float]) -> str:
    if "failed" in r:
        return f"{P:2d} not located: {r['failed']}"
    ind = f"{ref[P]:16.10f}" if P in ref else f"{'-':>16}"  # the digits its file gives
    return (f"{P:2d} {r['RS']:13.6e} {r['1RSB']:13.6e} {r['2RSB']:16.9e} "
            f"{r['2RSB'] / r['1RSB'] - 1:11.4e} {r['m']:8.5f} {r['q0']:8.5f} {r['q1']:8.5f} "
            f"{r['nu1']:9.4f} {r['nu2']:9.4f} {ind} {r['seconds']:6.0f}"
            + ("" if r.get("converged", True) else "  (a fold did not converge)"))


def _previous() -> dict[int, dict]:
    path = RESULTS / "dense_capacity_2rsb.json"
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return {int(k): v for k, v in data.items() if k.isdigit()}


def _header() -> list[str]:
    head = (f"{'P':>2} {'alpha_c RS':>13} {'alpha_c 1RSB':>13} {'alpha_c 2RSB':>16} "
            f"{'2RSB/1RSB-1':>11} {'m_c':>8} {'q0':>8} {'q1':>8} {'nu1':>9} {'nu2':>9} "
            f"{'indep. 2RSB':>16} {'s':>6}")
    return ["Dense P-spin Hebbian network, T = 0 critical capacity (library convention, "
            "K = alpha N^(P-1)); the fold of the retrieval branch; P = 2: the Hopfield model",
            "command: python benchmarks/dense_capacity_2rsb.py [P ...] (rows of other P are "
            "kept from earlier runs; s: seconds for the three folds of the row)",
            f"machine of this run: {machine()} (each row's own is in the .json where recorded)",
            head]


def _fold(P: int, ansatz: str):
    """The T = 0 fold at ``ansatz``: the Hopfield model at P = 2 (its Parisi parameters
    mu1, mu2 given the dense names nu1, nu2: nu = mu/(P-1)! = mu), else the dense one."""
    if P != 2:
        return dense.critical_point(P, 0.0, ansatz)
    ds = hopfield.critical_point(0.0, ansatz).squeeze()
    return ds.rename({k: "nu" + k[2:] for k in ("mu1", "mu2") if k in ds})


def main(Ps: list[int]) -> None:
    """Compute the rows for ``Ps``; rows of other P already in the results file are kept
    (each row is computed on its own, so a table can be filled in several runs)."""
    ref = _independent()
    lines = _header()
    print("\n".join(lines), flush=True)
    rows: dict[int, dict] = {}
    for P in Ps:
        t0 = time.perf_counter()
        try:
            a = {k: _fold(P, k) for k in ("RS", "1RSB", "2RSB")}
        except NotConvergedError as exc:  # reported in the table, not hidden
            rows[P] = {"failed": str(exc)}
        else:
            two = a["2RSB"]
            r = {k: float(v["alpha_c"]) for k, v in a.items()}
            r |= {k: float(two[k]) for k in ("m", "q0", "q1", "nu1", "nu2")}
            r["alpha_c_error_2RSB"] = float(two["alpha_c_error"])
            r["converged"] = all(bool(v["converged"]) for v in a.values())
            r["seconds"] = time.perf_counter() - t0
            r["machine"] = machine()  # rows of earlier runs may come from other machines
            rows[P] = r
        print(_row(P, rows[P], ref), flush=True)
        _save(lines, rows, ref)  # after every row: a long run keeps what it has done


def _save(lines: list[str], rows: dict[int, dict], ref: dict[int, float]) -> None:
    """Write the table: this run's rows over those already in the results file (read now:
    runs for other P may have finished meanwhile)."""
    allrows = _previous() | rows
    out = lines + [_row(P, allrows[P], ref) for P in sorted(allrows)]
    out.append("nu = mu/(P-1)! (mu = theta/T at T = 0); alpha_c^2RSB agrees with the "
               "independent derivation where it is given")
    write("dense_capacity_2rsb", out, {str(k): v for k, v in allrows.items()})

if __name__ == "__main__":
    if sys.argv[1:] == ["--table"]:
        _save(_header(), {}, _independent())
    else:
        main([int(p) for p in sys.argv[1:]] or list(range(2, 11)))
