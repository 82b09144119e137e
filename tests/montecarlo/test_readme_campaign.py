"""The README's campaign quick start, run command by command, with a Ctrl-C in the middle."""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import xarray as xr

from assoc import Hopfield
from montecarlo import simulate
from montecarlo.campaign.execute import PAUSE_ENV

pytest.importorskip("zarr", reason="campaign stores need zarr")
README = pathlib.Path(__file__).resolve().parents[2] / "README.md"
MARKER = "<!-- campaign-quickstart"
#: Seconds the interrupted run waits after each task.
PAUSE = 3.0


def _block() -> tuple[str, list[str]]:
    """The quick start's heredoc (the spec) and its ``assoc`` commands, comments dropped."""
    text = README.read_text()
    body = text[text.index(MARKER):].split("```bash\n", 1)[1].split("```", 1)[0]
    lines = body.splitlines()
    end = lines.index("EOF")
    commands = [ln.split("#", 1)[0].strip() for ln in lines[end + 1:] if ln.strip()]
    return "\n".join(lines[: end + 1]) + "\n", commands


def _done(store: pathlib.Path) -> int:
    log = store / ".campaign" / "log.jsonl"
    if not log.exists():
        return 0
    return sum(1 for x in log.read_text().splitlines() if x.endswith("}") and '"done"' in x)


def test_readme_campaign_quick_start(tmp_path):
    # the console script lies beside this interpreter (pip install -e .), on PATH or not
    env = {**os.environ, "PATH": f"{pathlib.Path(sys.executable).parent}{os.pathsep}"
                                 f"{os.environ.get('PATH', '')}"}
    assert shutil.which("assoc", path=env["PATH"]), "pip install -e . installs `assoc`"
    heredoc, commands = _block()
    assert [c.split()[:3] for c in commands] == [["assoc", "campaign", c] for c in
                                                 ("run", "status", "run", "export")]
    subprocess.run(["bash", "-c", heredoc], cwd=tmp_path, check=True)
    run, status, resume, export = commands
    store = tmp_path / "spec.zarr"

    # the run waits PAUSE s after each task (montecarlo.campaign.execute.PAUSE_ENV), so the
    # Ctrl-C below lands after the first task and before the last, however loaded the machine
    # (without it, the 7 tasks after the first, compiled, one can finish in one burst)
    slow = {**env, PAUSE_ENV: str(PAUSE)}
    proc = subprocess.Popen(run.split(), cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=slow)
    deadline = time.monotonic() + 120
    while _done(store) < 1 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)  # Ctrl-C
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted: " in err and "resume with: assoc campaign run spec.toml --resume" in err
    kept = _done(store)
    assert 1 <= kept < 8

    st = subprocess.run(status.split(), cwd=tmp_path, capture_output=True, text=True, env=env)
    assert st.returncode == 0 and f"{kept} done, 0 failed, {8 - kept} pending of 8" in st.stdout
    assert "not running" in st.stdout
    again = subprocess.run(run.split(), cwd=tmp_path, capture_output=True, text=True, env=env)
    assert again.returncode == 2 and "--resume" in again.stderr  # never silently reused
    res = subprocess.run(resume.split(), cwd=tmp_path, capture_output=True, text=True, env=env)
    assert res.returncode == 0, res.stderr
    assert "8 done, 0 failed, 0 pending of 8 tasks" in res.stdout
    log = [json.loads(x) for x in (store / ".campaign" / "log.jsonl").read_text().splitlines()
           if x.endswith("}")]
    assert sorted(e["task"] for e in log if e["event"] == "done") == list(range(8))
    ex = subprocess.run(export.split(), cwd=tmp_path, capture_output=True, text=True, env=env)
    assert ex.returncode == 0, ex.stderr

    with xr.open_dataset(tmp_path / "spec.nc") as ds:
        ds = ds.load()
    assert ds.done.all()
    ref = simulate(Hopfield(), alpha=[0.05, 0.1], N=[200, 400], T=[0.1, 0.3, 0.5], samples=8,
                   sweeps=200, seed=1)
    for v in ref.data_vars:
        np.testing.assert_array_equal(ds[v].values, ref[v].values, err_msg=v)
