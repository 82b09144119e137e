"""assoc.progress: a bar on a terminal, silence in tests, pipes and when switched off."""

from __future__ import annotations

import io
import sys

import pytest

from assoc import progress as pg


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_silent_under_pytest_and_off_a_terminal(monkeypatch):
    items = [1, 2, 3]
    assert pg.progress(items, desc="x") is items  # PYTEST_CURRENT_TEST is set here
    monkeypatch.delenv("PYTEST_CURRENT_TEST", raising=False)
    monkeypatch.setattr(sys, "stderr", io.StringIO())  # a pipe
    assert pg.progress(items, desc="x") is items
    monkeypatch.setattr(sys, "stderr", _Tty())
    monkeypatch.setenv("ASSOC_PROGRESS", "0")
    assert pg.progress(items, desc="x") is items


def test_draws_a_bar_with_eta_on_a_terminal(monkeypatch):
    pytest.importorskip("tqdm", reason="tqdm (the campaign extra) is not installed")
    monkeypatch.delenv("PYTEST_CURRENT_TEST", raising=False)
    monkeypatch.delenv("ASSOC_PROGRESS", raising=False)
    tty = _Tty()
    monkeypatch.setattr(sys, "stderr", tty)
    assert pg.enabled()
    assert list(pg.progress(range(3), desc="table", unit="P")) == [0, 1, 2]
    assert "table" in tty.getvalue() and "3/3" in tty.getvalue()
