"""Runs the worked example of docs/symbolic_engine.md and checks what it prints."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import numpy as np
from scipy.special import erf

DOC = Path(__file__).resolve().parents[2] / "docs" / "symbolic_engine.md"


def test_worked_example_runs_and_is_right():
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)
    assert len(blocks) == 1
    ns: dict = {}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(blocks[0], str(DOC), "exec"), ns)  # noqa: S102 - our own document
    r, r0, res, cf = ns["r"], ns["r0"], ns["res"], ns["cf"]
    assert "E_z[tanh(" in out.getvalue()
    assert (r.status == 0).all() and np.all(np.diff(r.x[:, 0]) < 0)  # m falls with T
    # each printed solution solves its hand-derived equation
    m0 = r0.x[0, 0]
    assert abs(m0 - erf(m0 / np.sqrt(0.2))) < 1e-13
    g = cf.grad(r.x, {"beta": 1 / ns["T"], "D": 0.1})
    assert np.abs(g).max() < 1e-12
    # T = 0: the ferromagnet exists for small D and disappears at D_c = 2/pi = 0.6366
    # (m = erf(m / sqrt(2D)) has a nonzero root iff sqrt(2/(pi D)) > 1)
    assert res.converged[0, :2].all() and not res.converged[0, 2:].any()
    # T = 0.5: the critical D from the curvature scan lies below the T = 0 value
    assert 0.05 < ns["Ds"][np.argmax(ns["c0"] > 0)] < 2 / np.pi
