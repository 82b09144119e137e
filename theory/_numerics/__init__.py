"""Numerics shared by the theory families: vectorised solvers and status codes
(:mod:`.solver`) and Gaussian quadrature (:mod:`.quadrature`)."""
