"""Bad input to the symbolic engine (issue: bad input and interruptions): what each call did
before it was checked (in the comment), and the clear refusal it gives now."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from theory.symbolic import (
    CompiledFreeEnergy,
    E,
    ReplicaFreeEnergy,
    continuation,
    normalize,
    optimize_parameter,
    solve_points,
)

m, z = sp.symbols("m z", real=True)
beta, D = sp.symbols("beta D", positive=True)
F = m**2 / 2 - E(sp.log(2 * sp.cosh(beta * (m + sp.sqrt(D) * z))), z) / beta
CW = ReplicaFreeEnergy(F, [m], [beta, D], beta=beta)
CF = CW.compile()
GOOD = {"beta": 2.0, "D": 0.1}


@pytest.mark.parametrize("call,match", [
    # AttributeError: 'NoneType' object has no attribute 'free_symbols'
    (lambda: E(None, z), "integrand must be a sympy expression"),
    (lambda: ReplicaFreeEnergy(None, [m], [beta, D]), "f must be a sympy expression"),
    # 'm' was iterated as a string: "f has symbols that are neither ..."
    (lambda: ReplicaFreeEnergy(F, "m", [beta, D]), "order_parameters must be a sequence"),
    (lambda: ReplicaFreeEnergy(F, [m], [beta, D], bounds={m: (1.0, 0.0)}), "low < high"),
    # AttributeError: 'int' object has no attribute 'order_parameters'
    (lambda: CompiledFreeEnergy(3), "model must be a ReplicaFreeEnergy"),
    # accepted, failing later inside the code generator
    (lambda: CompiledFreeEnergy(CW, backend="tpu"), "backend must be one of"),
    # NaN start and NaN control: silently unconverged
    (lambda: solve_points(CF, [[np.nan]], GOOD), "x0 must be finite"),
    (lambda: solve_points(CF, [[0.9]], GOOD | {"beta": np.nan}), r"controls\['beta'\]"),
    # an unknown control (a typo) was silently ignored
    (lambda: solve_points(CF, [[0.9]], GOOD | {"Dee": 0.2}), r"unknown \['Dee'\]"),
    # ValueError: not enough values to unpack (expected 2, got 1)
    (lambda: solve_points(CF, [0.9], GOOD), r"x0 must have shape \(n, 1\)"),
    # AttributeError: 'NoneType' object has no attribute 'items'
    (lambda: solve_points(CF, [[0.9]], None), "controls must be a mapping"),
    # xtol < 0 and maxiter = 2.5 accepted
    (lambda: solve_points(CF, [[0.9]], GOOD, xtol=-1.0), "xtol must be > 0"),
    (lambda: solve_points(CF, [[0.9]], GOOD, maxiter=2.5), "maxiter must be an integer"),
    (lambda: continuation(CF, [[0.9]], [[2.0, 2.1]], "T", {"D": 0.1}), "control must be one"),
    # LinAlgError: cond is not defined on empty arrays (nothing else to solve)
    (lambda: optimize_parameter(CF, [[0.9]], GOOD, "m", [[0.1, 0.5]]),
     "another free order parameter"),
    # AttributeError: 'NoneType' object has no attribute 'args'
    (lambda: normalize(None), "expr must be a sympy expression"),
])
def test_bad_input_is_refused_naming_the_parameter(call, match):
    with pytest.raises((TypeError, ValueError), match=match):
        call()
