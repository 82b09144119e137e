"""theory: replica and signal-to-noise analyses (never simulation). Depends on assoc only."""

__all__: list[str] = []
