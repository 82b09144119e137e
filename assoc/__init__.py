"""assoc: the shared core of the associative-memory library.

Models, patterns, energies from overlaps, backend dispatch, seeding, counter-based
random numbers, the xarray Dataset conventions and theory-vs-simulation comparison.
"""

__version__ = "0.1.0"

from .backend import get_namespace, has_cupy, resolve_backend, to_numpy
from .compare import compare
from .dataset import assert_valid_result, finalize
from .errors import NotConvergedError
from .models import DenseHebbian, Hopfield, Model
from .seeding import normalize_seed, stream_seed

__all__ = [
    "__version__",
    "Model",
    "Hopfield",
    "DenseHebbian",
    "get_namespace",
    "resolve_backend",
    "has_cupy",
    "to_numpy",
    "normalize_seed",
    "stream_seed",
    "finalize",
    "assert_valid_result",
    "compare",
    "NotConvergedError",
]
