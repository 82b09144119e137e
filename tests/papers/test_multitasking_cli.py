"""papers.multitasking: the CLI surface and the committed boundary table.

The quick runs of the three figure commands (about 15-20 s each) are in
tests/montecarlo/test_multitasking_papers.py (slow-marked).
"""

import pathlib
import re

import pytest

from papers.__main__ import commands, main

TABLE = pathlib.Path(__file__).parents[2] / "benchmarks" / "results" / "multitasking_regimes.txt"
NAMES = ("multitasking-overlaps", "multitasking-regimes", "multitasking-learning")


def test_commands_are_listed(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for name in NAMES:
        assert name in commands() and name in out


@pytest.mark.parametrize("name", NAMES)
def test_help_names_the_common_options(name, capsys):
    with pytest.raises(SystemExit) as exc:
        main([name, "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "--quick" in out and "--out" in out and "--seed" in out


def test_bad_option_fails(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["multitasking-regimes", "--no-such-option"])
    assert exc.value.code == 2


def test_committed_boundary_table_shows_agreement_of_two_methods():
    """benchmarks/results/multitasking_regimes.txt (full run of multitasking-regimes):
    K = 2..8 at T = 0, closed form and second location of d_H and d_G within 1e-8; every
    T > 0 edge located again by the second method within its stated tolerance; the T = 0
    Monte Carlo bracket of d_H as predicted."""
    text = TABLE.read_text()
    assert "--quick" not in text.splitlines()[1]
    rows = {}
    for line in text.split("## T = 0\n")[1].split("\n\n")[0].splitlines()[1:]:
        f = line.split()
        rows[int(f[0])] = f
    assert sorted(rows) == list(range(2, 9))
    for K, f in rows.items():
        if K == 2:
            continue  # no boundary: d_H = d_G = 1
        dH, dH2, e1, dG, dG2, e2 = (float(x) for x in f[1:7])
        assert abs(dH - dH2) <= 1e-8 and float(e1) <= 1e-8, K
        assert abs(dG - dG2) <= 1e-8 and float(e2) <= 1e-8, K
        assert 0.5 < dG < dH < 0.62
    checks = re.findall(r"^K=\d \S+\s+(?:exists|stable|global)\s+(?:lo|hi)\s+.*$", text,
                        flags=re.M)
    assert len(checks) > 40
    assert all(line.rstrip().endswith(" agree") for line in checks), \
        [c for c in checks if not c.rstrip().endswith(" agree")]
    temps = re.findall(r"^## T = ([0-9.]+): every boundary", text, flags=re.M)
    assert temps == ["0.05", "0.2"]
    mc = re.findall(r"^K=\d d = .*\((as predicted|UNEXPECTED)\)$", text, flags=re.M)
    assert len(mc) == 6 and set(mc) == {"as predicted"}
