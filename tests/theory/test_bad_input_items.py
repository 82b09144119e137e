"""Reproducers of the bad-input findings (issue: bad input and interruptions): each call is
refused before any work with an error that names the parameter."""

from __future__ import annotations

import time

import pytest

from theory import dense, hopfield, hopfield_rsb, multitasking


@pytest.mark.parametrize("call,exc,match", [
    (lambda: dense.transition_lines(3, [0, 0.01], n_T=0), ValueError, "n_T"),
    (lambda: dense.transition_lines(3, [0, 0.01], n_T=-3), ValueError, "n_T"),
    (lambda: dense.transition_lines(3, [0, 0.01], n_T=2.5), ValueError, "n_T"),
    (lambda: dense.transition_lines(3, [0, 0.01], n_T=1), ValueError, "n_T"),
    (lambda: hopfield.critical_capacity([0, 0.1]), ValueError, "T must be a single number"),
    (lambda: hopfield_rsb.critical_point([0, 0.1]), ValueError, "T must be a single number"),
    (lambda: dense.critical_capacity(3, T=[0, 0.1]), ValueError, "T must be a single number"),
    (lambda: hopfield.solve([], 0.1), ValueError, "alpha must not be empty"),
    (lambda: hopfield.solve(0.1, []), ValueError, "T must not be empty"),
    (lambda: dense.solve(3, [], 0.1), ValueError, "alpha must not be empty"),
    (lambda: multitasking.hierarchical_overlaps(3, [2.0]), ValueError, "d must be in"),
    (lambda: multitasking.hierarchical_overlaps(3, [-0.5]), ValueError, "d must be in"),
    (lambda: multitasking.hierarchical_overlaps(3, [float("nan")]), ValueError, "d must be"),
    (lambda: multitasking.hierarchical_overlaps(0, [0.5]), ValueError, "K must be"),
    (lambda: multitasking.hierarchical_threshold(0), ValueError, "K must be"),
    (lambda: multitasking.hierarchical_threshold(2.5), ValueError, "K must be"),
    (lambda: hopfield.phase_diagram(0.05, 0.1, replicon="no"), TypeError, "replicon"),
    (lambda: hopfield.phase_diagram(0.05, 0.1, replicon=1), TypeError, "replicon"),
])
def test_refused_before_work_naming_the_parameter(call, exc, match):
    t0 = time.perf_counter()
    with pytest.raises(exc, match=match):
        call()
    assert time.perf_counter() - t0 < 1.0
