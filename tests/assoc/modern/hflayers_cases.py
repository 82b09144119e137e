"""Parity cases against ml-jku/hopfield-layers ("hflayers"), and their reference file.

Each :class:`Case` is one hflayers configuration (its constructor arguments, with per-head
values as lists) and the inputs and masks it is called with. :func:`reference` runs
hflayers on it (needs torch and hflayers; float64; weights perturbed away from hflayers'
near-trivial initialisation) and returns its weights (``state_dict``), inputs, masks and
outputs; :func:`ours` runs this package's NumPy layer (or torch module) with the same
weights and inputs. ``tests/assoc/modern/test_hflayers_parity.py`` compares the two, live
when hflayers is installed, else against ``data/hflayers_reference.npz``, which
``python -m tests.assoc.modern.hflayers_cases`` writes (from the repository root, in an
environment with torch and hflayers: ``pip install
"hopfield-layers @ git+https://github.com/ml-jku/hopfield-layers"``).
"""

from __future__ import annotations

import pathlib
import sys
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from assoc.modern import layers, transformer
from assoc.modern.hflayers_compat import from_hflayers_kwargs, load_hflayers

REFERENCE = pathlib.Path(__file__).resolve().parent / "data" / "hflayers_reference.npz"
B, S, L = 2, 3, 5  # batch, states, stored patterns


@dataclass(frozen=True)
class Case:
    """One hflayers configuration and call.

    ``kind``: 'Hopfield', 'HopfieldPooling', 'HopfieldLayer', 'Encoder', 'Decoder', or
    'HeadwiseScaling' (a Hopfield with one ``scaling`` per head, compared with one
    single-head hflayers module per head: hflayers' own per-head tensor cycles over the
    features). ``inputs``: 'self' (one tensor), 'cross' (stored, state, projection). Masks:
    ``pad`` ('bool', 'float' or None) and ``assoc`` ('bool', 'float', 'heads_bool',
    'heads_float' or None). ``dropout_train``: also call in training mode (association
    dropout). ``batch``: the batch size; 1 where static patterns meet several heads, as
    hflayers repeats a static pattern along the batch axis instead of the heads' (so with
    several heads and batch entries each head sees another entry's pattern).
    """

    kind: str
    kwargs: dict[str, Any]
    inputs: str = "cross"
    pad: str | None = None
    assoc: str | None = None
    block: dict[str, Any] = field(default_factory=dict)
    dropout_train: bool = False
    seed: int = 0
    batch: int = B


E = 8
RAW = dict(normalize_stored_pattern=False, normalize_stored_pattern_affine=False,
           normalize_state_pattern=False, normalize_state_pattern_affine=False,
           normalize_pattern_projection=False, normalize_pattern_projection_affine=False)
STATIC = dict(stored_pattern_as_static=True, state_pattern_as_static=True,
              pattern_projection_as_static=True, disable_out_projection=True, **RAW)

CASES: dict[str, Case] = {
    "defaults_cross": Case("Hopfield", dict(input_size=E, num_heads=2)),
    "defaults_self": Case("Hopfield", dict(input_size=E, num_heads=2), inputs="self"),
    "single_head": Case("Hopfield", dict(input_size=E)),
    "masks_bool": Case("Hopfield", dict(input_size=E, num_heads=2), pad="bool", assoc="bool"),
    "mask_float_additive": Case("Hopfield", dict(input_size=E, num_heads=2), assoc="float"),
    "mask_per_head_bool": Case("Hopfield", dict(input_size=E, num_heads=2), pad="bool",
                               assoc="heads_bool"),
    "mask_per_head_float": Case("Hopfield", dict(input_size=E, num_heads=2),
                                assoc="heads_float"),
    "scaling_float": Case("Hopfield", dict(input_size=E, num_heads=2, scaling=0.7)),
    "update_steps": Case("Hopfield", dict(input_size=E, num_heads=2, scaling=2.0,
                                          update_steps_max=3, update_steps_eps=1e-3)),
    "update_steps_early_stop": Case("Hopfield", dict(input_size=E, num_heads=4, scaling=4.0,
                                                     update_steps_max=6,
                                                     update_steps_eps=3e-2), seed=3),
    "update_steps_to_convergence": Case("Hopfield", dict(
        input_size=E, num_heads=2, scaling=3.0, update_steps_max=None,
        update_steps_eps=1e-6)),
    "update_steps_masked": Case("Hopfield", dict(input_size=E, num_heads=2, scaling=2.0,
                                                 update_steps_max=2, update_steps_eps=1e-5),
                                pad="bool", assoc="heads_float"),
    "per_head_steps": Case("Hopfield", dict(input_size=E, num_heads=2, scaling=2.0,
                                            update_steps_max=[1, 4],
                                            update_steps_eps=[1e-3, 1e-5])),
    "per_head_unbounded": Case("Hopfield", dict(input_size=E, num_heads=2, scaling=2.0,
                                                update_steps_max=[2, None],
                                                update_steps_eps=[1e-4, 1e-6])),
    "per_head_scaling": Case("HeadwiseScaling", dict(input_size=E, num_heads=2,
                                                     scaling=[0.3, 2.5],
                                                     update_steps_max=[1, 3],
                                                     update_steps_eps=[1e-3, 1e-5])),
    "hopfield_space_norm": Case("Hopfield", dict(
        input_size=E, hidden_size=4, num_heads=2, normalize_hopfield_space=True,
        normalize_hopfield_space_affine=True, normalize_hopfield_space_eps=1e-3,
        update_steps_max=2, update_steps_eps=1e-5)),
    "hopfield_space_norm_plain": Case("Hopfield", dict(
        input_size=E, num_heads=2, normalize_hopfield_space=True)),
    "connected": Case("Hopfield", dict(input_size=E, num_heads=2,
                                       pattern_projection_as_connected=True)),
    "connected_static_projection": Case("Hopfield", dict(
        input_size=E, num_heads=2, pattern_projection_as_connected=True,
        pattern_projection_as_static=True, disable_out_projection=True)),
    "activation_tanh": Case("Hopfield", dict(input_size=E, num_heads=2,
                                             association_activation="tanh")),
    "activation_relu": Case("Hopfield", dict(input_size=E, association_activation="relu")),
    "dropout": Case("Hopfield", dict(input_size=E, num_heads=2, dropout=0.3,
                                     update_steps_max=1, update_steps_eps=1e-5),
                    dropout_train=True),
    "add_zero_association": Case("Hopfield", dict(input_size=E, num_heads=2,
                                                  add_zero_association=True,
                                                  update_steps_max=1, update_steps_eps=1e-5),
                                 pad="bool", assoc="float"),
    "batch_first_false": Case("Hopfield", dict(input_size=E, num_heads=2, batch_first=False),
                              pad="bool"),
    "no_out_projection_no_bias": Case("Hopfield", dict(input_size=E, num_heads=2,
                                                       disable_out_projection=True,
                                                       input_bias=False)),
    "norm_flags_and_eps": Case("Hopfield", dict(
        input_size=E, num_heads=2, normalize_stored_pattern_affine=False,
        normalize_state_pattern_eps=1e-2, normalize_pattern_projection=False,
        normalize_pattern_projection_affine=False, normalize_stored_pattern_eps=0.5)),
    "sizes": Case("Hopfield", dict(input_size=E, hidden_size=3, pattern_size=4, output_size=7,
                                   num_heads=2, stored_pattern_size=6,
                                   pattern_projection_size=5)),
    "static_state_shared": Case("Hopfield", dict(input_size=4, hidden_size=4, num_heads=2,
                                                 state_pattern_as_static=True), batch=1),
    "static_stored_one_head": Case("Hopfield", dict(input_size=E, stored_pattern_as_static=True,
                                                    pattern_projection_as_static=True)),
    "all_static": Case("Hopfield", dict(input_size=E, num_heads=2, **STATIC), batch=1),
    "all_static_one_head": Case("Hopfield", dict(input_size=E, **STATIC), pad="bool"),
    "pooling": Case("HopfieldPooling", dict(input_size=E, num_heads=2, quantity=3),
                    inputs="self", pad="bool"),
    "pooling_steps_not_trainable": Case("HopfieldPooling", dict(
        input_size=E, quantity=2, update_steps_max=2, update_steps_eps=1e-5, scaling=2.0,
        trainable=False), inputs="self"),
    "lookup": Case("HopfieldLayer", dict(input_size=E, num_heads=2, quantity=6),
                   inputs="self"),
    "lookup_separated_sizes": Case("HopfieldLayer", dict(
        input_size=E, num_heads=2, quantity=6, lookup_weights_as_separated=True,
        lookup_targets_as_trainable=False, stored_pattern_size=6, pattern_projection_size=5),
        inputs="self", pad="bool"),
    "lookup_static": Case("HopfieldLayer", dict(input_size=E, quantity=6,
                                                stored_pattern_as_static=True,
                                                pattern_projection_as_static=True,
                                                update_steps_max=1, update_steps_eps=1e-5),
                          inputs="self"),
    "encoder": Case("Encoder", dict(input_size=E, num_heads=2), inputs="self", pad="bool",
                    assoc="bool", block=dict(dim_feedforward=16, dropout=0.1,
                                             activation="relu"), dropout_train=True),
    "decoder": Case("Decoder", dict(input_size=E, num_heads=2, update_steps_max=1,
                                    update_steps_eps=1e-5),
                    inputs="self", pad="bool", assoc="bool",
                    block=dict(dim_feedforward=16, dropout=0.2, activation="tanh"),
                    dropout_train=True),
    "encoder_association_dropout": Case("Encoder", dict(input_size=E, num_heads=2, dropout=0.2),
                                        inputs="self", block=dict(dim_feedforward=16,
                                                                  dropout=0.1),
                                        dropout_train=True),
}


# ----------------------------------------------------------------------------------------
# inputs and masks (NumPy, deterministic)
# ----------------------------------------------------------------------------------------
def _heads(case: Case) -> int:
    return int(case.kwargs.get("num_heads", 1))


def make_inputs(case: Case) -> dict[str, np.ndarray]:
    """Batch-first inputs and masks of ``case`` (hflayers' mask layouts)."""
    rng = np.random.default_rng(100 + case.seed)
    B = case.batch
    kw = case.kwargs
    d_in = kw.get("input_size")
    d_stored = kw.get("stored_pattern_size") or d_in
    d_proj = kw.get("pattern_projection_size") or d_in
    if kw.get("state_pattern_as_static") and case.kind == "Hopfield" \
            and not kw.get("stored_pattern_as_static"):
        d_state = kw.get("hidden_size")
    else:
        d_state = d_in
    out: dict[str, np.ndarray] = {}
    n_state = S
    if case.kind in ("Hopfield", "HeadwiseScaling"):
        if case.inputs == "self":
            out["x"] = rng.normal(size=(B, L, d_in))
            n_state = L
        else:
            out["stored"] = rng.normal(size=(B, L, d_stored))
            out["state"] = rng.normal(size=(B, S, d_state))
            out["projection"] = rng.normal(size=(B, L, d_proj))
        n_keys = L
    elif case.kind == "HopfieldPooling":
        out["x"] = rng.normal(size=(B, L, d_in))
        n_state, n_keys = kw["quantity"], L
    elif case.kind == "HopfieldLayer":
        out["x"] = rng.normal(size=(B, S, d_in))
        n_keys = kw["quantity"]
    elif case.kind == "Encoder":
        out["x"] = rng.normal(size=(B, L, d_in))
        n_state = n_keys = L
    else:  # Decoder: tgt (B, S, E) against memory (B, L, E)
        out["x"] = rng.normal(size=(B, S, d_in))
        out["memory"] = rng.normal(size=(B, L, d_in))
        n_state = n_keys = S  # the masks of the self-association
    H = _heads(case)
    if case.pad is not None:
        pad = np.zeros((B, n_keys), dtype=bool)
        pad[0, -2:] = True
        pad[1, 0] = True
        out["pad"] = pad
    if case.assoc is not None:
        shape = (n_state, n_keys) if not case.assoc.startswith("heads") \
            else (B * H, n_state, n_keys)
        if case.assoc.endswith("bool"):
            m = rng.random(shape) < 0.3
            m[..., 0] = False  # no state loses every association (hflayers gives NaN)
        else:
            m = rng.uniform(-2.5, 0.5, size=shape)
            m[..., -1] = -np.inf
        out["amask"] = m
    if case.kind == "Decoder":
        mpad = np.zeros((B, L), dtype=bool)
        mpad[1, -1] = True
        out["memory_pad"] = mpad
    return out


# ----------------------------------------------------------------------------------------
# hflayers (needs torch and hflayers)
# ----------------------------------------------------------------------------------------
def _hf_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    import torch

    kw = dict(kwargs)
    if isinstance(kw.get("update_steps_max"), list):
        kw["update_steps_max"] = torch.tensor(
            [-1 if s is None else s for s in kw["update_steps_max"]], dtype=torch.int32)
    if isinstance(kw.get("update_steps_eps"), list):
        kw["update_steps_eps"] = torch.tensor(kw["update_steps_eps"], dtype=torch.float64)
    return kw


def _perturb(module: Any, seed: int) -> None:
    import torch

    g = torch.Generator().manual_seed(1000 + seed)
    with torch.no_grad():
        for p in module.parameters():
            p.add_(0.3 * torch.randn(p.shape, generator=g, dtype=p.dtype))


def _hf_inputs(case: Case, data: dict[str, np.ndarray]) -> tuple[Any, dict[str, Any]]:
    import torch

    t = {k: torch.tensor(v) for k, v in data.items()}
    bf = case.kwargs.get("batch_first", True)

    def lay(x: Any) -> Any:
        return x if bf else x.transpose(0, 1)

    if "stored" in t:
        inp: Any = (lay(t["stored"]), lay(t["state"]), lay(t["projection"]))
    else:
        inp = lay(t["x"])
    masks = {}
    if "pad" in t:
        masks["stored_pattern_padding_mask"] = t["pad"]
    if "amask" in t:
        masks["association_mask"] = t["amask"]
    return inp, masks


def reference(case: Case) -> dict[str, np.ndarray]:
    """hflayers' weights (``sd/<key>``), the inputs, and its outputs (``out``, ``weights``,
    ``values``; ``out_train`` and ``dropmask`` for the dropout cases), float64; torch's
    global generator is left as it was."""
    import torch

    with torch.random.fork_rng(devices=[]):
        return _reference(case)


def _reference(case: Case) -> dict[str, np.ndarray]:
    import hflayers
    import torch
    from hflayers.transformer import HopfieldDecoderLayer, HopfieldEncoderLayer

    torch.manual_seed(case.seed)
    data = make_inputs(case)
    inp, masks = _hf_inputs(case, data)
    res: dict[str, np.ndarray] = dict(data)
    if case.kind == "HeadwiseScaling":
        return _headwise_reference(case, data, inp, masks)
    kw = _hf_kwargs(case.kwargs)
    if case.kind in ("Encoder", "Decoder"):
        assocs = [hflayers.Hopfield(**kw) for _ in range(1 if case.kind == "Encoder" else 2)]
        cls = HopfieldEncoderLayer if case.kind == "Encoder" else HopfieldDecoderLayer
        module = cls(*assocs, **case.block).double()
    else:
        module = getattr(hflayers, case.kind)(**kw).double()
    _perturb(module, case.seed)
    module.eval()
    with torch.no_grad():
        if case.kind == "Encoder":
            call = lambda: module(inp, src_mask=masks.get("association_mask"),  # noqa: E731
                                  src_key_padding_mask=masks.get("stored_pattern_padding_mask"))
            res["weights"] = module.get_association_matrix(inp).numpy()
        elif case.kind == "Decoder":
            mem, mpad = torch.tensor(data["memory"]), torch.tensor(data["memory_pad"])
            call = lambda: module(  # noqa: E731
                inp, mem, tgt_mask=masks.get("association_mask"),
                tgt_key_padding_mask=masks.get("stored_pattern_padding_mask"),
                memory_key_padding_mask=mpad)
        else:
            call = lambda: module(inp, **masks)  # noqa: E731
            res["weights"] = module.get_association_matrix(inp, **masks).numpy()
            res["values"] = module.get_projected_pattern_matrix(inp, **masks).numpy()
        res["out"] = call().numpy()
        if case.dropout_train:
            module.train()
            torch.manual_seed(7)
            res["out_train"] = call().numpy()
            if case.kind == "Hopfield":  # the keep mask torch draws for the association matrix
                torch.manual_seed(7)
                ones = torch.ones(res["weights"].shape, dtype=torch.float64).flatten(0, 1)
                res["dropmask"] = torch.nn.functional.dropout(
                    ones, case.kwargs["dropout"], True).reshape(res["weights"].shape).numpy()
    for k, v in module.state_dict().items():
        res[f"sd/{k}"] = v.detach().numpy().copy()
    return res


def _headwise_reference(case: Case, data: dict[str, np.ndarray], inp: Any,
                        masks: dict[str, Any]) -> dict[str, np.ndarray]:
    """Per-head scaling: the full module gives the weights; each head runs as a one-head
    hflayers module with its own float scaling, steps and eps; out = concat(heads) W_O."""
    import hflayers
    import torch

    kw = dict(case.kwargs)
    H = kw.pop("num_heads")
    betas, steps, eps = kw.pop("scaling"), kw.pop("update_steps_max"), \
        kw.pop("update_steps_eps")
    full = hflayers.Hopfield(num_heads=H, **kw).double()
    _perturb(full, case.seed)
    sd = full.state_dict()
    E_ = kw["input_size"]
    dk = E_ // H
    res: dict[str, np.ndarray] = dict(data)
    outs, assocs, projs = [], [], []
    W, b = sd["association_core.in_proj_weight"], sd["association_core.in_proj_bias"]
    for h in range(H):
        head = hflayers.Hopfield(hidden_size=dk, num_heads=1, scaling=float(betas[h]),
                                 update_steps_max=steps[h], update_steps_eps=float(eps[h]),
                                 disable_out_projection=True, **kw).double()
        hs = head.state_dict()
        rows = np.concatenate([np.arange(part * E_ + h * dk, part * E_ + (h + 1) * dk)
                               for part in range(3)])
        hs["association_core.in_proj_weight"] = W[rows].clone()
        hs["association_core.in_proj_bias"] = b[rows].clone()
        for k in hs:
            if k.startswith("norm_"):
                hs[k] = sd[k].clone()
        head.load_state_dict(hs)
        head.eval()
        with torch.no_grad():
            outs.append(head(inp, **masks))
            assocs.append(head.get_association_matrix(inp, **masks))
            projs.append(head.get_projected_pattern_matrix(inp, **masks))
    z = torch.cat(outs, -1)
    res["out"] = (z @ sd["association_core.out_proj.weight"].T
                  + sd["association_core.out_proj.bias"]).numpy()
    res["weights"] = torch.cat(assocs, 1).numpy()
    res["values"] = torch.cat(projs, 1).numpy()
    for k, v in sd.items():
        res[f"sd/{k}"] = v.detach().numpy().copy()
    return res


# ----------------------------------------------------------------------------------------
# this package
# ----------------------------------------------------------------------------------------
class _MaskRNG:
    """Stands in for the dropout Generator: draws a given keep mask (hflayers' torch draw)."""

    def __init__(self, mask: np.ndarray) -> None:
        self.mask = mask

    def random(self, shape: tuple[int, ...]) -> np.ndarray:
        assert tuple(shape) == self.mask.shape
        return np.where(self.mask > 0, 1.0, 0.0)


def build(case: Case, ref: dict[str, np.ndarray], torch_module: bool = False) -> Any:
    """Our layer (or torch module) of ``case`` with hflayers' weights from ``ref``."""
    sd = {k[3:]: v for k, v in ref.items() if k.startswith("sd/")}
    kw = from_hflayers_kwargs(case.kwargs)
    if case.kind in ("Encoder", "Decoder"):
        n = 1 if case.kind == "Encoder" else 2
        cls = transformer.HopfieldEncoderLayer if n == 1 else transformer.HopfieldDecoderLayer
        obj: Any = cls(*(layers.Hopfield(seed=0, **kw) for _ in range(n)), **case.block,
                       seed=0)
    else:
        name = "Hopfield" if case.kind == "HeadwiseScaling" else case.kind
        obj = getattr(layers, name)(seed=0, **kw)
    if torch_module:
        from assoc.modern.torch_adapter import to_torch

        obj = to_torch(obj)
    return load_hflayers(obj, sd)


def ours(case: Case, ref: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Our NumPy layer's outputs on ``ref``'s weights and inputs, hflayers' shapes."""
    obj = build(case, ref)
    masks = {}
    if "pad" in ref:
        masks["stored_pattern_padding_mask"] = ref["pad"]
    if "amask" in ref:
        masks["association_mask"] = ref["amask"]
    res: dict[str, np.ndarray] = {}
    bf = case.kwargs.get("batch_first", True)

    def lay(x: np.ndarray) -> np.ndarray:
        return x if bf else np.swapaxes(x, 0, 1)

    if case.kind == "Encoder":
        res["out"] = obj(ref["x"], src_mask=masks.get("association_mask"),
                         src_key_padding_mask=masks.get("stored_pattern_padding_mask"))
        res["weights"] = obj.get_association_matrix(ref["x"])
        return res
    if case.kind == "Decoder":
        res["out"] = obj(ref["x"], ref["memory"], tgt_mask=masks.get("association_mask"),
                         tgt_key_padding_mask=masks.get("stored_pattern_padding_mask"),
                         memory_key_padding_mask=ref["memory_pad"])
        return res
    args = (lay(ref["stored"]), lay(ref["state"]), lay(ref["projection"])) \
        if "stored" in ref else (lay(ref["x"]),)
    out, w = obj.association(*args, **masks)
    v = obj.get_projected_pattern_matrix(*args, **masks)
    if case.kind == "HopfieldPooling":
        out = out.reshape(out.shape[0], -1)  # hflayers flattens the pooled vectors
    res.update(out=out, weights=w, values=v)
    if case.dropout_train and case.kind in ("Hopfield", "HeadwiseScaling"):
        # the spec's association dropout with the keep mask torch drew for hflayers
        x = ref["x"] if "x" in ref else None
        stored, state, proj = (x, x, x) if x is not None else \
            (ref["stored"], ref["state"], ref["projection"])
        res["out_train"] = layers.hopfield_forward(
            obj.params, obj.config, stored, state, proj,
            masks.get("stored_pattern_padding_mask"), masks.get("association_mask"),
            dropout_rng=_MaskRNG(ref["dropmask"]))[0]
    return res


def ours_torch(case: Case, ref: dict[str, np.ndarray], train: bool = False
               ) -> dict[str, np.ndarray]:
    """Our torch module's outputs on ``ref``'s weights and inputs (hflayers' calls);
    ``train``: the training-mode output after ``torch.manual_seed(7)`` (dropout); torch's
    global generator is left as it was."""
    import torch

    with torch.random.fork_rng(devices=[]):
        return _ours_torch(case, ref, train)


def _ours_torch(case: Case, ref: dict[str, np.ndarray], train: bool) -> dict[str, np.ndarray]:
    import torch

    module = build(case, ref, torch_module=True)
    inp, masks = _hf_inputs(case, ref)
    res: dict[str, np.ndarray] = {}
    module.eval()
    with torch.no_grad():
        if case.kind == "Encoder":
            call = lambda: module(inp, src_mask=masks.get("association_mask"),  # noqa: E731
                                  src_key_padding_mask=masks.get("stored_pattern_padding_mask"))
            res["weights"] = module.get_association_matrix(inp).numpy()
        elif case.kind == "Decoder":
            mem, mpad = torch.tensor(ref["memory"]), torch.tensor(ref["memory_pad"])
            call = lambda: module(  # noqa: E731
                inp, mem, tgt_mask=masks.get("association_mask"),
                tgt_key_padding_mask=masks.get("stored_pattern_padding_mask"),
                memory_key_padding_mask=mpad)
        else:
            call = lambda: module(inp, **masks)  # noqa: E731
            res["weights"] = module.get_association_matrix(inp, **masks).numpy()
            res["values"] = module.get_projected_pattern_matrix(inp, **masks).numpy()
        res["out"] = call().numpy()
        if train:
            module.train()
            torch.manual_seed(7)
            res["out_train"] = call().numpy()
    return res


def write_reference(path: pathlib.Path = REFERENCE) -> None:
    """Run hflayers on every case and write the reference file (float64)."""
    arrays: dict[str, np.ndarray] = {}
    for name, case in CASES.items():
        for k, v in reference(case).items():
            arrays[f"{name}/{k}"] = v
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **arrays)
    print(f"wrote {path} ({path.stat().st_size / 1024:.0f} KiB, {len(CASES)} cases)")


def load_reference(name: str, path: pathlib.Path = REFERENCE) -> dict[str, np.ndarray]:
    with np.load(path) as f:
        prefix = f"{name}/"
        return {k[len(prefix):]: f[k] for k in f.files if k.startswith(prefix)}


if __name__ == "__main__":
    write_reference(pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else REFERENCE)
