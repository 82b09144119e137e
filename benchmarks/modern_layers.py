"""Speed of the torch Hopfield layer against ml-jku/hopfield-layers ("hflayers").

Times :class:`assoc.modern.torch_layers.Hopfield` and ``hflayers.Hopfield`` side by side in
one process with one thread (``torch.set_num_threads(1)``), the same weights (copied from
hflayers with :func:`assoc.modern.hflayers_compat.load_hflayers`; the outputs are checked to
agree) and the same inputs: batch 32, 1024 stored patterns, 64 state patterns, 128
features, 4 heads, hflayers' defaults otherwise (layer norms, ``update_steps_eps=1e-4``),
for float32 and float64, 0 and 3 update steps, the forward pass and forward plus backward
(``out.sum().backward()``, gradients of the parameters; the forward pass is timed with
autograd on, as in training). The ratio is assoc / hflayers
(below 1: assoc is faster); the best of ``--repeat`` calls after one warm-up call.

hflayers is not on PyPI (``pip install "hopfield-layers @
git+https://github.com/ml-jku/hopfield-layers"``). Without it the script times assoc only
and compares against the hflayers figures committed in
``benchmarks/results/modern_layers_hflayers.json`` (measured on the machine named there),
and says so.

Usage::

    python benchmarks/modern_layers.py [--repeat 3] [--write]

``--write`` stores the table in benchmarks/results/modern_layers.txt and .json (and, when
hflayers ran, its figures in modern_layers_hflayers.json).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import pathlib
import sys
from typing import Any

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from _common import RESULTS, best_of, machine, write  # noqa: E402

B, L, S, E, H = 32, 1024, 64, 128, 4
CONFIGS = [(dtype, steps) for dtype in ("float32", "float64") for steps in (0, 3)]
HF_FIGURES = RESULTS / "modern_layers_hflayers.json"


def _time(module: Any, inputs: Any, backward: bool, repeat: int) -> float:
    """Best time of the forward pass (autograd on, as in training), or of forward plus
    backward, after one warm-up call."""

    def call() -> None:
        out = module(inputs)
        if backward:
            out.sum().backward()

    call()
    return best_of(call, repeat)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args(argv)
    try:
        import torch
    except ImportError:
        print("modern_layers: needs PyTorch (pip install torch)")
        return 1
    from assoc.modern import torch_layers
    from assoc.modern.hflayers_compat import load_hflayers

    torch.set_num_threads(1)
    live = importlib.util.find_spec("hflayers") is not None
    committed: dict[str, Any] = {}
    if not live:
        if not HF_FIGURES.exists():
            print(f"hflayers is not installed and {HF_FIGURES} is missing: nothing to compare")
            return 1
        committed = json.loads(HF_FIGURES.read_text())
    else:
        import hflayers
    gen = torch.Generator().manual_seed(0)
    header = (f"torch {torch.__version__}, 1 thread; Hopfield: batch {B}, {L} stored, {S} "
              f"state, dim {E}, {H} heads, hflayers defaults; best of {args.repeat}")
    source = "hflayers measured in this run" if live else (
        f"hflayers NOT INSTALLED: its figures are the committed ones of "
        f"{HF_FIGURES.name} ({committed.get('date', '?')}; {committed.get('machine', '?')})")
    lines = [header, source,
             f"{'dtype':8} {'steps':>5} {'pass':17} {'hflayers ms':>12} {'assoc ms':>10} "
             f"{'ratio':>6}"]
    rows, hf_rows = [], []
    worst = 0.0
    for dtype_name, steps in CONFIGS:
        dtype = getattr(torch, dtype_name)
        Y = torch.randn(B, L, E, generator=gen, dtype=dtype)
        R = torch.randn(B, S, E, generator=gen, dtype=dtype)
        inputs = (Y, R, Y)
        ours = torch_layers.Hopfield(input_size=E, num_heads=H, update_steps_max=steps,
                                     seed=0, dtype=dtype)
        theirs = None
        if live:
            torch.manual_seed(0)
            theirs = hflayers.Hopfield(input_size=E, num_heads=H,
                                       update_steps_max=steps).to(dtype)
            load_hflayers(ours, theirs)
            with torch.no_grad():
                diff = float((ours(inputs) - theirs(inputs)).abs().max())
            tol = 1e-4 if dtype == torch.float32 else 1e-10
            assert diff < tol, f"outputs differ by {diff}"
        for backward in (False, True):
            name = "forward+backward" if backward else "forward"
            t_ours = _time(ours, inputs, backward, args.repeat)
            key = f"{dtype_name}/{steps}/{name}"
            if theirs is not None:
                t_hf = _time(theirs, inputs, backward, args.repeat)
                hf_rows.append(dict(key=key, seconds=t_hf))
            else:
                t_hf = committed["seconds"][key]
            ratio = t_ours / t_hf
            worst = max(worst, ratio)
            rows.append(dict(dtype=dtype_name, update_steps=steps, pass_=name,
                             hflayers_s=t_hf, assoc_s=t_ours, ratio=ratio))
            lines.append(f"{dtype_name:8} {steps:>5} {name:17} {t_hf * 1e3:12.1f} "
                         f"{t_ours * 1e3:10.1f} {ratio:6.2f}")
            print(lines[-1] if len(rows) > 1 else "\n".join(lines), flush=True)
    lines.append(f"worst ratio assoc / hflayers: {worst:.2f} (target <= 1)")
    print(lines[-1])
    if args.write:
        write("modern_layers", lines, dict(torch=torch.__version__, threads=1, batch=B,
                                           stored=L, state=S, dim=E, heads=H,
                                           hflayers_live=live, rows=rows, worst=worst))
        if live:
            import time

            HF_FIGURES.write_text(json.dumps(dict(
                machine=machine(), date=time.strftime("%Y-%m-%d"), torch=torch.__version__,
                seconds={r["key"]: r["seconds"] for r in hf_rows}), indent=2) + "\n")
    return 0 if worst <= 1.0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
