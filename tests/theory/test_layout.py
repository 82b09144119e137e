"""The shape of theory/: one face per family, the same verbs, one status vocabulary."""

from __future__ import annotations

import importlib

import numpy as np
import pytest

from theory import dense, dense_learning, hopfield, multitasking
from theory._numerics.solver import STATUS_MEANINGS

FAMILIES = {"hopfield": hopfield, "dense": dense, "multitasking": multitasking,
            "dense_learning": dense_learning}
VERBS = ("solve", "critical_capacity", "critical_point", "transition_lines", "phase_diagram",
         "signal_to_noise")


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_every_family_answers_the_verbs_or_says_why_not(name):
    fam = FAMILIES[name]
    assert fam.__name__ == f"theory.{name}" and fam.__file__.endswith("__init__.py")
    for verb in VERBS:
        if not hasattr(fam, verb):  # its docstring must name the missing verb
            assert f"``{verb}``" in fam.__doc__, f"theory.{name} lacks {verb} without a word"


def test_the_old_names_still_import():
    from theory import hopfield_rsb

    assert importlib.import_module("theory.hopfield_rsb") is hopfield_rsb is hopfield.rsb
    assert hopfield_rsb.solve is hopfield.rsb.solve


def _datasets():
    yield "hopfield RS", hopfield.solve([0.05, 0.2], [0.0, 0.5])
    yield "hopfield 1RSB", hopfield.solve([0.1], [0.0], ansatz="1RSB")
    yield "hopfield mixture", hopfield.mixture([1, 3], [0.2, 0.5])
    yield "dense RS", dense.solve(3, [0.05, 0.2], [0.0, 0.1])
    yield "dense 1RSB", dense.solve(3, [0.1], [0.0, 0.1], ansatz="1RSB")
    yield "multitasking", multitasking.solve(2, [0.2, 0.5], [0.0, 0.1])


def test_one_status_vocabulary_in_every_familys_datasets():
    codes = np.array(sorted(STATUS_MEANINGS), dtype=np.int8)
    seen = 0
    for what, ds in _datasets():
        if "status" not in ds:
            continue
        seen += 1
        st = ds["status"]
        np.testing.assert_array_equal(st.attrs["flag_values"], codes, err_msg=what)
        assert st.attrs["flag_meanings"].split() == [
            STATUS_MEANINGS[k].replace(" ", "_").replace("-", "_") for k in codes], what
        assert set(np.unique(st.values)) <= set(codes.tolist()), what
    assert seen >= 5


def test_hopfield_answers_1rsb_through_its_face_as_its_rsb_module_does():
    a = hopfield.solve([0.1], [0.0], ansatz="1RSB")
    b = hopfield.rsb.solve([0.1], [0.0], ansatz="1RSB")
    for v in a.data_vars:
        np.testing.assert_array_equal(a[v].values, b[v].values, err_msg=v)
    with pytest.raises(ValueError, match="ansatz must be one of"):
        hopfield.critical_point(0.0, ansatz="3RSB")
