"""Hopular: modern Hopfield networks for tabular data, the architecture (needs PyTorch).

Schaefl, Gruber, Bitto-Nemling & Hochreiter, "Hopular: Modern Hopfield Networks for Tabular
Data", arXiv:2206.00664 (2022), Sec. 3 (the architecture) and the authors' code
(ml-jku/hopular, ``hopular/blocks.py``), reimplemented on the library's Hopfield layers
(:class:`assoc.modern.torch_layers.Hopfield`). A table has ``F`` columns, the last of which is
the target; column ``j`` is numerical (``categories[j] == 0``, a standardised real) or
categorical with ``categories[j] = K_j >= 2`` classes (an integer code ``0 .. K_j - 1``).

The forward pass, for a batch of ``n`` samples with the training set of ``N`` samples as
memory:

1. **Embedding layer** (:class:`HopularEmbedding`). Every column is embedded on its own into
   ``R^e`` (``e = feature_size``): a numerical value ``v`` with its mask bit ``m`` by a linear
   map of ``((1 - m) v, m)``, a categorical code by an embedding table with one extra row, the
   mask token. A feature-type embedding (numerical / categorical) and a feature-position
   embedding are added, and each column passes through its own GELU - dropout - layer norm -
   linear map. ``E0`` (n, F, e) is the embedded *original input* of the batch (masked as it
   is presented), ``M`` (N, F, e) the embedded *training set* (unmasked, targets included).
2. **Hopular blocks** (:class:`HopularBlock`), ``xi <- E0`` then, per block,

   * Sample-Sample Hopfield module: the sample's whole representation ``xi`` (flattened to
     ``D = F e``) retrieves from the stored training set ``M`` (also flattened), both layer
     normalised; the retrieval is added to ``xi`` (residual);
   * Feature-Feature Hopfield module: each of the ``F`` feature vectors of ``xi`` retrieves
     from the ``F`` feature vectors of the sample's own embedded original input ``E0`` (both
     layer normalised); the retrieval is added to ``xi`` (residual).

   Each retrieval is one step of the modern Hopfield update ``xi_new = X softmax(beta X^T
   xi)`` (Ramsauer et al. 2020, Eq. (3)) in the projected spaces of the layer (Eq. (10)):
   every block re-reads the original input and the whole training set, the paper's central
   idea ("mimicking iterative learning").
3. **Summarisation layer** (:class:`HopularSummarization`): GELU - dropout - layer norm -
   linear map from ``R^D`` to one output per numerical column and ``K_j`` logits per
   categorical column: a prediction of every column, the target's included.

The objective (:func:`hopular_loss`) is the paper's sum of a masked-feature (self-supervised,
BERT-style) loss over the features selected for corruption and the target loss (the target is
always masked in the input), weighted ``w L_feature + (1 - w) L_target``; mean squared error
for numerical, cross entropy for categorical columns. During training a sample must not
retrieve itself from the memory: ``memory_exclude`` removes those associations (the authors'
``memory_mask``). Training is in :mod:`assoc.modern.hopular_training`.

Fidelity. The structure follows the paper's description and the authors' code: the residual
of each module is added to the block's current representation (not to the raw input; the
original input reaches every block as the Feature-Feature module's stored patterns), one
layer norm per module is shared by the state and the stored patterns, the Hopfield layers
normalise nothing themselves, and the training set is embedded anew at every step (its
embedding is learned). Not reproduced: memory sub-sampling (the authors' default keeps the
whole memory), activation checkpointing, and their initialisation (PyTorch's default
uniform scheme here, drawn from the seeded NumPy stream). The Hopular paper's own equation
numbers are not cited here: the full text was not at hand to check them; section and
Ramsauer et al. (2020) equation numbers are.

Examples
--------
>>> import torch                                               # doctest: +SKIP
>>> from assoc.modern.hopular import Hopular                   # doctest: +SKIP
>>> model = Hopular((0, 3, 2), feature_size=4, num_heads=2, hidden_size=2, seed=0)  # doctest: +SKIP
>>> values = torch.tensor([[0.3, 2.0, 1.0], [-1.2, 0.0, 0.0]])  # doctest: +SKIP
>>> masked = torch.tensor([[False, False, True], [False, True, True]])  # doctest: +SKIP
>>> model(values, masked, values).shape      # one output + 3 + 2 logits    # doctest: +SKIP
torch.Size([2, 6])
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

try:
    import torch
    import torch.nn.functional as F
    from torch import nn
except ImportError as exc:  # pragma: no cover - exercised without torch
    raise ImportError(
        "assoc.modern.hopular needs PyTorch, which is optional: pip install torch "
        "(or pip install assoc-memory[torch])"
    ) from exc

from ..seeding import SeedLike, normalize_seed, stream_rng, stream_seed
from ..validation import brief, check_int, check_scalar
from .torch_layers import Hopfield

__all__ = ["HopularEmbedding", "HopularBlock", "HopularSummarization", "Hopular",
           "hopular_loss", "check_categories", "output_sizes"]

#: Layer-norm epsilon of the blocks (the authors' value).
LN_EPS = 1e-12


def check_categories(categories: Any) -> tuple[int, ...]:
    """The column description: a sequence of ints, 0 for a numerical column and the number of
    classes ``K >= 2`` of a categorical one; at least two columns, the last is the target."""
    if isinstance(categories, (str, bytes)) or not hasattr(categories, "__len__"):
        raise ValueError(f"categories must be a sequence of ints (0: numerical, >= 2: number of "
                         f"classes), one per column, the target last (got {brief(categories)})")
    out = tuple(check_int(f"categories[{j}]", k, low=0) for j, k in enumerate(categories))
    if len(out) < 2:
        raise ValueError(f"categories must describe at least one feature and the target "
                         f"(got {len(out)} column{'s' if len(out) != 1 else ''})")
    for j, k in enumerate(out):
        if k == 1:
            raise ValueError(f"categories[{j}] must be 0 (numerical) or >= 2 (classes) (got 1)")
    return out


def output_sizes(categories: Sequence[int]) -> tuple[int, ...]:
    """Outputs of each column: 1 for a numerical column, ``K`` logits for a categorical one."""
    return tuple(1 if k == 0 else k for k in categories)


def _check_dropout(name: str, value: Any) -> float:
    return check_scalar(name, value, low=0.0, high=1.0, high_open=True)


def _uniform(rng: np.random.Generator, bound: float, shape: tuple[int, ...], dtype: Any,
             device: Any) -> torch.Tensor:
    """PyTorch's default ``U(-1/sqrt(fan_in), 1/sqrt(fan_in))`` draw, from a NumPy stream."""
    return torch.as_tensor(rng.uniform(-bound, bound, shape), dtype=dtype, device=device)


def _param(x: torch.Tensor) -> nn.Parameter:
    return nn.Parameter(x)


class HopularEmbedding(nn.Module):
    """Embedding layer: each column into ``R^feature_size`` (module notes, step 1).

    Parameters
    ----------
    categories : sequence of int
        0 for a numerical column, the number of classes ``K >= 2`` for a categorical one.
    feature_size : int
        ``e``, the size of the embedding of one column.
    dropout : float
        Dropout probability after the embedding's GELU (training only).
    rng : numpy.random.Generator
        Draws the initial parameters.
    dtype, device : optional
        Of the parameters (default torch's default dtype).

    Notes
    -----
    ``forward(values, masked)``: ``values`` (n, F) holds the standardised numerical values and
    the categorical codes (as floats), ``masked`` (n, F) is True where a column is masked
    (its value is then ignored); returns (n, F, e).
    """

    def __init__(self, categories: Sequence[int], feature_size: int, dropout: float, *,
                 rng: np.random.Generator, dtype: Any = None, device: Any = None) -> None:
        super().__init__()
        cats = check_categories(categories)
        e = check_int("feature_size", feature_size, low=1)
        self.dropout = _check_dropout("input_dropout", dropout)
        self.categories, self.feature_size = cats, e
        dtype = dtype or torch.get_default_dtype()
        kw = dict(dtype=dtype, device=device)
        num = [j for j, k in enumerate(cats) if k == 0]
        cat = [j for j, k in enumerate(cats) if k > 0]
        F_ = len(cats)
        self.register_buffer("num_cols", torch.tensor(num, dtype=torch.long, device=device))
        self.register_buffer("cat_cols", torch.tensor(cat, dtype=torch.long, device=device))
        # the embedded columns are assembled as [numerical..., categorical...]: reorder
        self.register_buffer("order", torch.as_tensor(np.argsort(num + cat), dtype=torch.long,
                                                      device=device))
        K = np.array([cats[j] for j in cat], dtype=np.int64)
        self.register_buffer("cat_classes", torch.as_tensor(K, device=device))
        offsets = np.concatenate([[0], np.cumsum(K + 1)[:-1]]).astype(np.int64) if cat else K
        self.register_buffer("cat_offsets", torch.as_tensor(offsets, device=device))
        self.register_buffer("types", torch.tensor([int(k > 0) for k in cats],
                                                   dtype=torch.long, device=device))
        # numerical: (value, mask bit) -> R^e, fan_in 2
        self.num_weight = _param(_uniform(rng, 1 / math.sqrt(2), (len(num), 2, e), **kw))
        self.num_bias = _param(_uniform(rng, 1 / math.sqrt(2), (len(num), e), **kw))
        # categorical: one table, K_j + 1 rows per column (the last: mask token)
        rows = int((K + 1).sum())
        self.cat_table = _param(torch.as_tensor(rng.standard_normal((rows, e)), **kw))
        self.type_embedding = _param(torch.as_tensor(rng.standard_normal((2, e)), **kw))
        self.position_embedding = _param(torch.as_tensor(rng.standard_normal((F_, e)), **kw))
        # per-column GELU - dropout - layer norm - linear
        self.norm_weight = _param(torch.ones(F_, e, **kw))
        self.norm_bias = _param(torch.zeros(F_, e, **kw))
        b = 1 / math.sqrt(e)
        self.out_weight = _param(_uniform(rng, b, (F_, e, e), **kw))
        self.out_bias = _param(_uniform(rng, b, (F_, e), **kw))

    def forward(self, values: torch.Tensor, masked: torch.Tensor) -> torch.Tensor:
        F_ = len(self.categories)
        if values.dim() != 2 or values.shape[1] != F_ or masked.shape != values.shape:
            raise ValueError(f"values and masked must have shape (n, {F_}) (got "
                             f"{tuple(values.shape)} and {tuple(masked.shape)})")
        masked = masked.to(torch.bool)
        parts = []
        if self.num_cols.numel():
            v = values[:, self.num_cols]
            m = masked[:, self.num_cols]
            v = torch.where(m, torch.zeros((), dtype=v.dtype, device=v.device), v)
            x = torch.stack([v, m.to(v.dtype)], -1)  # (n, Fn, 2)
            parts.append(torch.einsum("nfi,fie->nfe", x, self.num_weight) + self.num_bias)
        if self.cat_cols.numel():
            m = masked[:, self.cat_cols]
            with torch.no_grad():
                raw = values[:, self.cat_cols].detach()
                codes = torch.round(raw).to(torch.long)
                bad = ~m & ((codes < 0) | (codes >= self.cat_classes) | (codes != raw)
                            | ~torch.isfinite(raw))
                if bool(bad.any()):
                    i, j = (int(t) for t in torch.nonzero(bad)[0])
                    col = int(self.cat_cols[j])
                    raise ValueError(
                        f"values[:, {col}] is categorical with {self.categories[col]} classes: "
                        f"codes must be integers in [0, {self.categories[col] - 1}] (got "
                        f"{float(raw[i, j])!r} in row {i})")
            codes = torch.where(m, self.cat_classes.expand_as(codes), codes)
            parts.append(self.cat_table[codes + self.cat_offsets])
        h = torch.cat(parts, 1)[:, self.order] if len(parts) > 1 else parts[0]
        h = h + self.type_embedding[self.types] + self.position_embedding
        h = F.dropout(F.gelu(h), self.dropout, self.training)
        h = F.layer_norm(h, (self.feature_size,), None, None, LN_EPS)
        h = h * self.norm_weight + self.norm_bias
        return torch.einsum("nfe,feg->nfg", h, self.out_weight) + self.out_bias

    def extra_repr(self) -> str:
        return f"categories={self.categories}, feature_size={self.feature_size}, " \
               f"dropout={self.dropout}"


def _hopfield(size: int, hidden_size: int, num_heads: int, scaling: float, dropout: float,
              seed: np.random.SeedSequence, dtype: Any, device: Any) -> Hopfield:
    """A Hopfield association of inputs of ``size`` without its own normalisations (the
    block normalises), ``beta = scaling / sqrt(hidden_size)`` (the authors' choice)."""
    return Hopfield(
        input_size=size, hidden_size=hidden_size, pattern_size=hidden_size, output_size=size,
        num_heads=num_heads, scaling=scaling / math.sqrt(hidden_size),
        normalize_stored_pattern=False, normalize_stored_pattern_affine=False,
        normalize_state_pattern=False, normalize_state_pattern_affine=False,
        normalize_pattern_projection=False, normalize_pattern_projection_affine=False,
        dropout=dropout, batch_first=True, seed=seed, dtype=dtype, device=device)


class HopularBlock(nn.Module):
    """One Hopular block: Sample-Sample then Feature-Feature Hopfield module, each with a
    residual connection (module notes, step 2).

    Parameters
    ----------
    num_features : int
        ``F``, the number of columns (target included).
    feature_size : int
        ``e``.
    num_heads, hidden_size : int
        Heads and association size per head of both Hopfield modules.
    scaling : float
        ``beta = scaling / sqrt(hidden_size)``.
    dropout : float
        Dropout of the association matrices (training only).
    seed : SeedLike
        The two Hopfield layers' initial parameters.
    dtype, device : optional

    Notes
    -----
    ``forward(xi, memory, original, memory_exclude=None)``: ``xi`` (n, F, e) the current
    representation, ``memory`` (N, F, e) the embedded training set, ``original`` (n, F, e)
    the embedded original input, ``memory_exclude`` (n, N) boolean, True where sample ``i``
    must not retrieve memory row ``mu``; returns the refined (n, F, e).
    """

    def __init__(self, num_features: int, feature_size: int, num_heads: int, hidden_size: int,
                 scaling: float, dropout: float, *, seed: SeedLike = None, dtype: Any = None,
                 device: Any = None) -> None:
        super().__init__()
        F_ = check_int("num_features", num_features, low=1)
        e = check_int("feature_size", feature_size, low=1)
        H = check_int("num_heads", num_heads, low=1)
        dk = check_int("hidden_size", hidden_size, low=1)
        scaling = check_scalar("scaling", scaling, low=0.0, low_open=True)
        dropout = _check_dropout("lookup_dropout", dropout)
        root = normalize_seed(seed)
        dtype = dtype or torch.get_default_dtype()
        self.num_features, self.feature_size = F_, e
        kw = dict(dtype=dtype, device=device)
        self.sample_norm = nn.LayerNorm(F_ * e, eps=LN_EPS, **kw)
        self.sample_sample = _hopfield(F_ * e, dk, H, scaling, dropout,
                                       stream_seed(root, "model", 0), dtype, device)
        self.feature_norm = nn.LayerNorm(e, eps=LN_EPS, **kw)
        self.feature_feature = _hopfield(e, dk, H, scaling, dropout,
                                         stream_seed(root, "model", 1), dtype, device)

    def forward(self, xi: torch.Tensor, memory: torch.Tensor, original: torch.Tensor,
                memory_exclude: torch.Tensor | None = None) -> torch.Tensor:
        n, N = xi.shape[0], memory.shape[0]
        D = self.num_features * self.feature_size
        state = self.sample_norm(xi.reshape(1, n, D))
        stored = self.sample_norm(memory.reshape(1, N, D))
        # Sample-Sample module: retrieval from the whole (embedded) training set + residual
        xi = xi + self.sample_sample((stored, state, stored),
                                     association_mask=memory_exclude).reshape(xi.shape)
        # Feature-Feature module: retrieval from the sample's embedded original input
        orig = self.feature_norm(original)
        return xi + self.feature_feature((orig, self.feature_norm(xi), orig))


class HopularSummarization(nn.Module):
    """Summarisation layer: GELU - dropout - layer norm - linear map from the flattened
    representation to the outputs of every column (module notes, step 3)."""

    def __init__(self, categories: Sequence[int], feature_size: int, dropout: float, *,
                 rng: np.random.Generator, dtype: Any = None, device: Any = None) -> None:
        super().__init__()
        cats = check_categories(categories)
        e = check_int("feature_size", feature_size, low=1)
        self.dropout = _check_dropout("output_dropout", dropout)
        dtype = dtype or torch.get_default_dtype()
        D, out = len(cats) * e, sum(output_sizes(cats))
        self.norm = nn.LayerNorm(D, eps=LN_EPS, dtype=dtype, device=device)
        self.linear = nn.Linear(D, out, dtype=dtype, device=device)
        b = 1 / math.sqrt(D)
        with torch.no_grad():
            self.linear.weight.copy_(_uniform(rng, b, (out, D), dtype, device))
            self.linear.bias.copy_(_uniform(rng, b, (out,), dtype, device))

    def forward(self, xi: torch.Tensor) -> torch.Tensor:
        h = F.dropout(F.gelu(xi.reshape(xi.shape[0], -1)), self.dropout, self.training)
        return self.linear(self.norm(h))


class Hopular(nn.Module):
    """Hopular (Schaefl et al. 2022, Sec. 3): embedding, Hopular blocks, summarisation.

    Parameters
    ----------
    categories : sequence of int
        One entry per column, the target last: 0 for a numerical column, the number of
        classes ``K >= 2`` for a categorical one.
    feature_size : int, default 16
        ``e``, the embedding size of one column (the authors' default: 32).
    hidden_size : int, default 16
        Association size per head of every Hopfield module (the authors' default: the
        input size over the number of heads).
    num_heads : int, default 4
        Heads of every Hopfield module (the authors' default: 8).
    num_blocks : int, default 2
        Hopular blocks (the authors' default: 8 in their command line, 4 in the class).
    scaling : float, default 1.0
        ``beta = scaling / sqrt(hidden_size)`` of every retrieval.
    input_dropout, lookup_dropout, output_dropout : float, default 0.1, 0.1, 0.01
        Dropout of the embedding, of the association matrices and of the summarisation (the
        authors' defaults).
    seed : int, SeedSequence, Generator or None, keyword-only
        The initial parameters (stream ``'model'``).
    dtype, device : optional
        Of the parameters (default torch's default dtype).

    Notes
    -----
    ``forward(values, masked, memory, memory_masked=None, memory_exclude=None)``:

    * ``values`` (n, F): standardised numerical values and categorical codes of the batch, as
      presented (corrupted for the masked-feature objective); ``masked`` (n, F) bool: masked
      columns (the target always, missing values, masked features);
    * ``memory`` (N, F): the training set, unmasked with its targets; ``memory_masked``
      (N, F) bool, its missing values (default none);
    * ``memory_exclude`` (n, N) bool: associations removed (a training sample and its own
      memory row).

    Returns the outputs (n, sum of :func:`output_sizes`): per column one value (numerical)
    or ``K`` logits (categorical), in column order; :meth:`split` cuts them per column.
    """

    def __init__(self, categories: Sequence[int], *, feature_size: int = 16,
                 hidden_size: int = 16, num_heads: int = 4, num_blocks: int = 2,
                 scaling: float = 1.0, input_dropout: float = 0.1,
                 lookup_dropout: float = 0.1, output_dropout: float = 0.01,
                 seed: SeedLike = None, dtype: Any = None, device: Any = None) -> None:
        super().__init__()
        cats = check_categories(categories)
        nb = check_int("num_blocks", num_blocks, low=1)
        root = normalize_seed(seed)
        rng = stream_rng(root, "model", 0)
        self.categories = cats
        self.embedding = HopularEmbedding(cats, feature_size, input_dropout, rng=rng,
                                          dtype=dtype, device=device)
        self.blocks = nn.ModuleList([
            HopularBlock(len(cats), feature_size, num_heads, hidden_size, scaling,
                         lookup_dropout, seed=stream_seed(root, "model", 1, b), dtype=dtype,
                         device=device)
            for b in range(nb)])
        self.summarization = HopularSummarization(cats, feature_size, output_dropout,
                                                  rng=rng, dtype=dtype, device=device)

    def forward(self, values: torch.Tensor, masked: torch.Tensor, memory: torch.Tensor,
                memory_masked: torch.Tensor | None = None,
                memory_exclude: torch.Tensor | None = None) -> torch.Tensor:
        if memory.dim() != 2 or memory.shape[1] != len(self.categories):
            raise ValueError(f"memory must have shape (N, {len(self.categories)}) (got "
                             f"{tuple(memory.shape)})")
        if memory_masked is None:
            memory_masked = torch.zeros(memory.shape, dtype=torch.bool, device=memory.device)
        if memory_exclude is not None and tuple(memory_exclude.shape) != (values.shape[0],
                                                                          memory.shape[0]):
            raise ValueError(f"memory_exclude must have shape (n, N) = ({values.shape[0]}, "
                             f"{memory.shape[0]}) (got {tuple(memory_exclude.shape)})")
        original = self.embedding(values, masked)
        stored = self.embedding(memory, memory_masked)
        xi = original
        for block in self.blocks:
            xi = block(xi, stored, original, memory_exclude)
        return self.summarization(xi)

    def split(self, out: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """The outputs of each column: (n,) for a numerical one, (n, K) logits otherwise."""
        parts = torch.split(out, output_sizes(self.categories), dim=-1)
        return tuple(p[..., 0] if k == 0 else p
                     for p, k in zip(parts, self.categories, strict=True))


def hopular_loss(categories: Sequence[int], out: torch.Tensor, values: torch.Tensor,
                 selected: torch.Tensor, feature_weight: float
                 ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The training objective ``w L_feature + (1 - w) L_target`` (module notes).

    Parameters
    ----------
    categories : sequence of int
        The column description (target last).
    out : Tensor (n, sum of output sizes)
        The model's outputs.
    values : Tensor (n, F)
        The *uncorrupted* values (standardised numerical values, categorical codes).
    selected : Tensor (n, F) of bool
        Entries that enter the loss: the features selected for corruption and the known
        targets.
    feature_weight : float
        ``w`` in [0, 1].

    Returns
    -------
    total, feature_loss, target_loss : Tensor
        ``L_feature`` is the mean over the feature columns with a selected entry of their mean
        loss (squared error or cross entropy); ``L_target`` the mean loss of the selected
        targets. Without a selected feature the total is ``L_target`` (the authors' rule),
        without a selected target it is ``L_feature``.
    """
    cats = check_categories(categories)
    w = check_scalar("feature_weight", feature_weight, low=0.0, high=1.0)
    sizes = output_sizes(cats)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    selected = selected.to(torch.bool)
    zero = out.new_zeros(())

    def categorical(j: int) -> torch.Tensor | None:
        s = selected[:, j]
        if not bool(s.any()):
            return None
        a = int(starts[j])
        return F.cross_entropy(out[s, a:a + sizes[j]], values[s, j].round().long())

    # numerical features at once: per column, the mean squared error of its selected entries
    per_column = []
    num = [j for j in range(len(cats) - 1) if cats[j] == 0]
    if num:
        s = selected[:, num].to(out.dtype)
        pos = torch.as_tensor(starts[num], device=out.device)
        err = (out[:, pos] - values[:, num]) ** 2 * s
        count = s.sum(0)
        has = count > 0
        per_column.append(err.sum(0)[has] / count[has])
    per_column += [c.reshape(1) for j in range(len(cats) - 1)
                   if cats[j] > 0 and (c := categorical(j)) is not None]
    per_column = torch.cat(per_column) if per_column else out.new_zeros(0)
    t = len(cats) - 1
    if cats[t] == 0:
        s = selected[:, t]
        target = F.mse_loss(out[s, int(starts[t])], values[s, t]) if bool(s.any()) else None
    else:
        target = categorical(t)
    lf = per_column.mean() if per_column.numel() else zero
    lt = target if target is not None else zero
    if not per_column.numel():
        return lt, lf, lt
    if target is None:
        return lf, lf, lt
    return w * lf + (1.0 - w) * lt, lf, lt
