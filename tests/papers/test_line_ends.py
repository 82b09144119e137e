"""Every line of the papers/ phase diagrams reaches its documented end point (quick mode).

AGS: the retrieval spinodal T_M runs from (alpha_c(0) = 0.137906, 0) to (0, 1), and T_c
from (0, 1) through its nose (alpha about 0.0531) to the load where the T = 0 retrieval and
spin-glass energies cross (0.05185). Dense P = 4: T_M from (alpha_c(0), 0) to
(0, T_M(alpha = 0)) and T_c from (0, T_c(alpha = 0)) to (alpha_gm, 0), the RS T = 0
global-minimum load computed independently by
``benchmarks/dense_global_minimum_independent.py`` (0.01637866).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from papers.ags import phase_diagram as ags
from papers.dense_rsb import phase_diagram as dpd
from theory import dense, hopfield

REF = json.loads((Path(__file__).parents[2] / "benchmarks" / "results"
                  / "dense_global_minimum_independent.json").read_text())["per_P"]


def _ends(points):
    a, T = points
    assert np.isfinite(a).all() and np.isfinite(T).all()
    i0, i1 = np.argmin(T), np.argmax(T)
    return (a[i0], T[i0]), (a[i1], T[i1])


def test_ags_lines_reach_their_end_points():
    lines = ags.theory_lines(True)
    (a0, t0), (a1, t1) = _ends(ags.line_points(lines, "T_M"))
    assert (t0, t1, a1) == (0.0, 1.0, 0.0)
    assert a0 == pytest.approx(hopfield.critical_capacity(0.0), abs=1e-12)
    a, T = ags.line_points(lines, "T_c")
    (a0, t0), (a1, t1) = _ends((a, T))
    assert (t0, t1, a1) == (0.0, 1.0, 0.0)
    assert a0 == pytest.approx(0.05185, abs=5e-5)
    # through the nose: the largest load lies above T = 0 and beyond the T = 0 end
    assert 0.053 < a.max() < 0.0535 and T[np.argmax(a)] > 0.02
    # the curve alpha(T) passes through the lines T_c(alpha) and T_c_low(alpha) of the
    # alpha grid (linear interpolation between its 41 temperatures)
    for v in ("T_c", "T_c_low"):
        ok = np.isfinite(lines[v].values)
        np.testing.assert_allclose(np.interp(lines[v].values[ok], T[::-1], a[::-1]),
                                   lines.alpha.values[ok], atol=2e-3)


@pytest.mark.slow  # 50 s; the default suite keeps the AGS case
def test_dense_lines_reach_their_end_points():
    rs = dpd.rs_lines(4, True)
    low = dense.low_load_lines(4)
    (a0, t0), (a1, t1) = _ends(dpd.line_points(rs, "T_M"))
    assert (t0, a1) == (0.0, 0.0)
    assert t1 == pytest.approx(low["T_M"], rel=1e-12)
    assert a0 == pytest.approx(REF["4"]["alpha_c_rs"], abs=1e-7)
    (a0, t0), (a1, t1) = _ends(dpd.line_points(rs, "T_c"))
    assert (t0, a1) == (0.0, 0.0)
    assert t1 == pytest.approx(low["T_c"], rel=1e-12)
    assert a0 == pytest.approx(REF["4"]["alpha_gm_rs"], abs=1e-7)
    # the spin-glass lines span the whole grid, past alpha_c(T) everywhere
    for v in ("T_g", "T_sg_spinodal"):
        a, T = dpd.line_points(rs, v)
        assert np.isfinite(T).all() and a.max() > np.nanmax(rs["T_M_curve_alpha"].values)
