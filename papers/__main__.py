"""``python -m papers list`` and ``python -m papers <command> [options]``."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from collections.abc import Callable

import papers

Command = tuple[Callable[[list[str]], int], str]


def commands() -> dict[str, Command]:
    """All commands of all paper subpackages, discovered through their ``COMMANDS``."""
    found: dict[str, Command] = {}
    for info in sorted(pkgutil.iter_modules(papers.__path__), key=lambda i: i.name):
        if not info.ispkg:
            continue
        mod = importlib.import_module(f"papers.{info.name}")
        for name, cmd in getattr(mod, "COMMANDS", {}).items():
            if name in found:
                raise RuntimeError(f"command {name!r} defined twice")
            found[name] = cmd
    return found


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    cmds = commands()
    if not argv or argv[0] in ("list", "-h", "--help"):
        print("usage: python -m papers <command> [--quick] [--out DIR]\n\ncommands:")
        for name, (_, desc) in cmds.items():
            print(f"  {name:28s} {desc}")
        return 0
    name, rest = argv[0], argv[1:]
    if name not in cmds:
        print(f"unknown command {name!r}; run 'python -m papers list'", file=sys.stderr)
        return 2
    return cmds[name][0](rest)


if __name__ == "__main__":
    raise SystemExit(main())
