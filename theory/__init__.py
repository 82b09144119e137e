"""theory: replica and signal-to-noise analyses (never simulation). Depends on assoc only."""

from . import hopfield

__all__: list[str] = ["hopfield"]
