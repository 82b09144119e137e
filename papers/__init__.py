"""papers: one runnable script per reproduced figure or table.

Each subpackage ``papers.<paper>`` exposes ``COMMANDS``: a dict mapping a
command name (e.g. ``'ags-phase-diagram'``) to ``(main, description)`` where
``main(argv: list[str]) -> int``. ``python -m papers list`` shows them all.
"""
