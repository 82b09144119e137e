"""Modern continuous Hopfield networks, Hopfield layers and dense associative memories.

Ramsauer et al., "Hopfield networks is all you need" (arXiv:2008.02217, ICLR 2021);
Krotov & Hopfield 2016 (polynomial dense memories); Demircigil et al. 2017 (exponential).

Conventions: stored patterns are the rows of ``X`` (shape (N, d)), states ``xi`` have
shape ``(..., d)`` and are processed in batches; NumPy and CuPy arrays are accepted (the
namespace follows the inputs, :mod:`assoc.backend`).

Modules
-------
network        energy, update, iteration to convergence (Eqs. (1)-(3), Theorems 1-2)
fixed_points   single / metastable / global fixed points, the 90%-mass subset size
theorems       separation, fixed-point spheres, retrieval bounds, capacity (Theorems 3-5)
layer_config   the layers' configuration, validation and hflayers defaults
layers         Hopfield, HopfieldPooling, HopfieldLayer (NumPy / CuPy specification)
transformer    HopfieldEncoderLayer, HopfieldDecoderLayer (NumPy / CuPy specification)
torch_layers   optional: the layers as torch.nn.Modules (imports torch)
torch_transformer  optional: the encoder and decoder blocks as torch.nn.Modules
torch_adapter  optional: NumPy layers to torch modules and back (imports torch lazily)
hopular        optional: Hopular (Schaefl et al. 2022), tabular Hopfield architecture (torch)
hopular_training  its encoding, masking and training (fit_hopular; torch when fitting)
hflayers_compat  ml-jku/hopfield-layers arguments and weights
dense          dense associative memories: F(x) = x^n and exp(x), T_j updates
dense_theory   capacity theory of the dense memories
capacity       dense-memory capacity experiments and fits (Datasets)
experiments    modern-network retrieval and capacity experiments (Datasets)

Examples
--------
>>> import numpy as np
>>> import assoc.modern as am
>>> X = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]])
>>> xi = am.update(np.array([0.8, 0.3]), X, beta=8.0, steps=3)
>>> am.classify_fixed_point(xi, X, beta=8.0).kind.item()
'single'
>>> float(am.capacity_bound(1.0, 3.0, 20, 0.001).c) > 3.15
True
"""

from . import layers
from .capacity import dense_capacity, dense_retrieval, fit_demircigil, fit_krotov_hopfield
from .cloob_checks import covariance_enrichment, gaussian_mi_bounds, infonce_saturation
from .contrastive import cloob_loss, info_loob, info_nce, infoloob_bound, infonce_bound
from .dense import (
    DenseRetrieval,
    Exponential,
    Polynomial,
    async_update,
    dense_energy,
    dense_fields,
    dense_retrieve,
    sync_update,
)
from .dense_theory import (
    demircigil_alpha,
    demircigil_capacity,
    krotov_hopfield_capacity,
    krotov_hopfield_capacity_finite,
    krotov_hopfield_constant,
    rate_function,
)
from .experiments import modern_bound_check, modern_retrieval, modern_separation_capacity
from .fixed_points import FixedPointClassification, classify_fixed_point, mass_count
from .layers import Hopfield, HopfieldLayer, HopfieldPooling
from .network import IterationResult, cloob_retrieval, energy, iterate, lse, softmax, update
from .theorems import (
    CapacityBound,
    RetrievalBound,
    capacity_bound,
    fixed_point_radius,
    min_separated_beta,
    pattern_fixed_points,
    retrieval_error_bound,
    separation,
    separation_threshold,
    well_separated,
)
from .transformer import HopfieldDecoderLayer, HopfieldEncoderLayer

__all__ = [
    # network
    "energy",
    "update",
    "iterate",
    "IterationResult",
    "lse",
    "softmax",
    "cloob_retrieval",
    # contrastive objectives (CLOOB)
    "info_nce",
    "info_loob",
    "cloob_loss",
    "infonce_bound",
    "infoloob_bound",
    "gaussian_mi_bounds",
    "infonce_saturation",
    "covariance_enrichment",
    # fixed points
    "classify_fixed_point",
    "FixedPointClassification",
    "mass_count",
    # theorems
    "separation",
    "separation_threshold",
    "well_separated",
    "fixed_point_radius",
    "min_separated_beta",
    "retrieval_error_bound",
    "RetrievalBound",
    "pattern_fixed_points",
    "capacity_bound",
    "CapacityBound",
    # layers
    "layers",
    "Hopfield",
    "HopfieldPooling",
    "HopfieldLayer",
    "HopfieldEncoderLayer",
    "HopfieldDecoderLayer",
    # dense associative memories
    "Polynomial",
    "Exponential",
    "dense_energy",
    "dense_fields",
    "sync_update",
    "async_update",
    "dense_retrieve",
    "DenseRetrieval",
    "krotov_hopfield_constant",
    "krotov_hopfield_capacity",
    "krotov_hopfield_capacity_finite",
    "rate_function",
    "demircigil_alpha",
    "demircigil_capacity",
    # experiments
    "dense_retrieval",
    "dense_capacity",
    "fit_krotov_hopfield",
    "fit_demircigil",
    "modern_retrieval",
    "modern_bound_check",
    "modern_separation_capacity",
]
