"""Schaefl et al. (2022), Hopular: modern Hopfield networks for tabular data
(arXiv:2206.00664)."""

from .tabular import main as _tabular

COMMANDS = {
    "hopular-tabular": (
        _tabular,
        "Hopular vs gradient boosting vs MLP on scikit-learn's small tables (needs PyTorch)",
    ),
}
