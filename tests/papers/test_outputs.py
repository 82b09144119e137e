"""Figure outputs (papers._cli): argument checks before any work, atomic files, and the
manifest that marks a complete set, under interrupts at every point of a write.

An interrupt (Ctrl-C: KeyboardInterrupt) must leave either the previous complete output set
or a visibly incomplete one (no manifest), never a half-written file."""

from __future__ import annotations

import argparse
import os
import pathlib
import signal
import subprocess
import sys
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import xarray as xr  # noqa: E402

from papers import _cli  # noqa: E402
from papers._cli import OutputSet, complete, figure_parser  # noqa: E402

FIG = "test-figure"
#: Seconds a bad option may take to be refused.
REFUSAL_SECONDS = 1.0


def _args(folder: pathlib.Path) -> argparse.Namespace:
    return argparse.Namespace(out=folder, figure=FIG, quick=True, seed=1)


def _write_set(folder: pathlib.Path, value: float) -> None:
    """Two NetCDF files, a PNG and a table, all depending on ``value``."""
    with OutputSet(_args(folder)) as out:
        for k in range(2):
            out.netcdf(xr.Dataset({"x": ("i", np.full(1000, value + k))}), f"data{k}.nc")

        def draw(path: pathlib.Path) -> None:
            fig, ax = plt.subplots()
            ax.plot([0, 1], [0, value])
            fig.savefig(path)
            plt.close(fig)

        out.figure(draw, "figure.png")
        out.text(f"value {value}\n", "table.txt")


def _contents(folder: pathlib.Path) -> dict[str, bytes]:
    """The files and their bytes, the manifests (which carry a time stamp) left out."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())
            if not p.name.endswith(".manifest.json")}


def _has_manifest(folder: pathlib.Path, figure: str) -> bool:
    return (folder / f"{figure}.manifest.json").exists()


class _Interrupt:
    """Raises KeyboardInterrupt at the k-th call of the patched operations (the moments a
    Ctrl-C can land in the middle of a write)."""

    def __init__(self, k: int) -> None:
        self.k, self.calls = k, 0

    def tick(self) -> None:
        self.calls += 1
        if self.calls == self.k:
            raise KeyboardInterrupt


def _patch(monkeypatch: pytest.MonkeyPatch, hit: _Interrupt) -> None:
    to_netcdf, replace = xr.Dataset.to_netcdf, pathlib.Path.replace
    savefig, write_text = plt.Figure.savefig, pathlib.Path.write_text

    def netcdf(self, path, *a, **kw):  # noqa: ANN001, ANN202
        hit.tick()                                 # before the file is written
        pathlib.Path(path).write_bytes(b"partial")  # a half-written temporary file
        hit.tick()
        return to_netcdf(self, path, *a, **kw)

    def fig_save(self, path, *a, **kw):  # noqa: ANN001, ANN202
        hit.tick()
        pathlib.Path(path).write_bytes(b"\x89PNG partial")
        hit.tick()
        return savefig(self, path, *a, **kw)

    def text(self, data, *a, **kw):  # noqa: ANN001, ANN202
        hit.tick()
        return write_text(self, data, *a, **kw)

    def rename(self, target):  # noqa: ANN001, ANN202
        hit.tick()                                 # before the rename
        out = replace(self, target)
        hit.tick()                                 # after it
        return out

    monkeypatch.setattr(xr.Dataset, "to_netcdf", netcdf)
    monkeypatch.setattr(plt.Figure, "savefig", fig_save)
    monkeypatch.setattr(pathlib.Path, "write_text", text)
    monkeypatch.setattr(pathlib.Path, "replace", rename)


def test_an_interrupt_at_any_point_leaves_the_old_set_or_a_visibly_incomplete_one(
        tmp_path, monkeypatch):
    _write_set(tmp_path, 1.0)
    assert complete(tmp_path, FIG)
    old = _contents(tmp_path)
    new_dir = tmp_path.parent / (tmp_path.name + "-new")
    _write_set(new_dir, 2.0)
    new = _contents(new_dir)
    n_points, seen_incomplete = 0, False
    for k in range(1, 200):
        hit = _Interrupt(k)
        with monkeypatch.context() as m:
            _patch(m, hit)
            try:
                _write_set(tmp_path, 2.0)
            except KeyboardInterrupt:
                pass
            else:
                break  # k is past the last operation: the run completed
        n_points += 1
        now = _contents(tmp_path)
        assert not [n for n in now if ".tmp" in n], f"temporary files left at point {k}"
        for name, data in now.items():  # every file whole: the old one or the new one
            assert data in (old.get(name), new.get(name)), (k, name)
        if complete(tmp_path, FIG):  # the old set, or the new one if only the end was cut
            assert now in (old, new), f"point {k}: a manifest over a mixed set"
        else:
            seen_incomplete = True
            assert not _has_manifest(tmp_path, FIG), k
        _write_set(tmp_path, 1.0)  # restore the old complete set
        assert _contents(tmp_path) == old
    assert n_points >= 18 and seen_incomplete  # 4 files x (2 or 4) points and the manifest
    _write_set(tmp_path, 2.0)
    assert complete(tmp_path, FIG)


def test_the_manifest_detects_a_changed_file(tmp_path):
    _write_set(tmp_path, 1.0)
    assert complete(tmp_path, FIG)
    (tmp_path / "table.txt").write_text("edited\n")
    assert not complete(tmp_path, FIG)
    assert not complete(tmp_path, "other-figure")


@pytest.mark.parametrize("argv,match", [
    (["--seed", "-1"], "--seed"),
    (["--out", "FILE"], "exists and is not a folder"),
    (["--out", "/proc/no-such-folder"], "cannot write there"),
    (["--store", "FILE"], "--store"),
])
def test_bad_options_are_refused_before_any_work(tmp_path, capsys, argv, match):
    (tmp_path / "FILE").write_text("x")
    argv = [str(tmp_path / "FILE") if a == "FILE" else a for a in argv]
    ap = figure_parser("test-figure", "test", monte_carlo=True)
    with pytest.raises(SystemExit) as e:
        ap.parse_args(argv)
    assert e.value.code == 2
    assert match in capsys.readouterr().err


def test_a_figure_command_refuses_a_bad_out_within_a_second(tmp_path):
    (tmp_path / "FILE").write_text("x")
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "papers", "dense-capacity", "--quick",
                           "--out", str(tmp_path / "FILE")], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 2 and "--out" in proc.stderr, proc.stderr
    # the import of the package dominates; no theory was computed
    assert time.perf_counter() - t0 < 30


@pytest.mark.slow
@pytest.mark.skipif(os.name != "posix", reason="SIGINT to a child process")
def test_sigint_during_a_figure_run_keeps_the_set_complete_or_visibly_not(tmp_path):
    """A real Ctrl-C (SIGINT) at several moments of ``python -m papers modern-hopfield-metastable
    --quick``: each time the folder holds the previous complete set or no manifest."""
    cmd = [sys.executable, "-m", "papers", "modern-hopfield-metastable", "--quick", "--out",
           str(tmp_path)]
    fig = "modern-hopfield-metastable"
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, timeout=300)
    full = time.perf_counter() - t0
    assert complete(tmp_path, fig)
    old = _contents(tmp_path)
    outcomes = set()
    for frac in (0.3, 0.7, 0.9, 1.0):
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(frac * full)
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=300)
        now = _contents(tmp_path)
        assert not [n for n in now if ".tmp" in n]
        ok = complete(tmp_path, fig)  # the old set, or a new complete one (the manifest
        outcomes.add(ok)              # checks every file's hash)
        assert ok or not _has_manifest(tmp_path, fig)
        assert set(now) == set(old)   # no stray files
        if not ok:  # restore a complete set for the next round
            subprocess.run(cmd, check=True, capture_output=True, timeout=300)
        old = _contents(tmp_path)
    assert outcomes  # each moment checked; which side it lands on depends on timing


def test_no_partial_temporary_file_is_left_by_write_netcdf(tmp_path, monkeypatch):
    def boom(self, path, *a, **kw):  # noqa: ANN001, ANN202
        pathlib.Path(path).write_bytes(b"partial")
        raise KeyboardInterrupt

    monkeypatch.setattr(xr.Dataset, "to_netcdf", boom)
    with pytest.raises(KeyboardInterrupt):
        _cli.write_netcdf(xr.Dataset({"x": 1}), tmp_path / "a.nc")
    assert list(tmp_path.iterdir()) == []


def _commands() -> list[str]:
    from papers.__main__ import commands

    return sorted(commands())


@pytest.mark.parametrize("name", _commands())
@pytest.mark.parametrize("bad", ["seed", "out", "store"])
def test_every_figure_command_refuses_bad_options_before_work(tmp_path, capsys, name, bad):
    """The walk over the papers CLI: each command, a bad --seed, --out or --store, a usage
    error (exit 2) naming the option within a second."""
    from papers.__main__ import main

    (tmp_path / "FILE").write_text("x")
    argv = [name, "--quick", "--out", str(tmp_path / "out")]
    if bad == "seed":
        argv += ["--seed", "-1"]
    elif bad == "out":
        argv[-1] = str(tmp_path / "FILE")
    else:
        argv += ["--store", str(tmp_path / "FILE")]
    t0 = time.perf_counter()
    try:
        main(argv)
    except SystemExit as e:
        code = e.code
    else:  # pragma: no cover - a failure
        code = 0
    err = capsys.readouterr().err
    if bad == "store" and "unrecognized arguments: --store" in err:
        assert code == 2  # a command without Monte Carlo has no --store
        return
    assert code == 2 and f"--{bad}" in err, err
    assert time.perf_counter() - t0 < REFUSAL_SECONDS
