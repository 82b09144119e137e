"""montecarlo: samplers, engines, observables and campaigns. Depends on assoc only."""

__all__: list[str] = []
