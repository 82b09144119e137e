"""On-disk cache of the engine's expensive symbolic results.

A new process pays the derivation of a model again: the zero-temperature limit, the gradient,
Hessian and fixed-point maps (:attr:`ReplicaFreeEnergy.derived`), the control derivatives
and the generated code of every :class:`~theory.symbolic.codegen.Evaluator` (kink analysis
and ``sympy.lambdify`` with common-subexpression elimination).  For the Hopfield 1RSB model
at T = 0 these cost several seconds, for 2-step RSB models tens of seconds.  This module
keeps them on disk, so that the next process loads them in milliseconds.

Key
    An entry is addressed by the sha256 of a canonical text of everything that defines its
    result: the class and every field of the model (``srepr`` of the expressions, with the
    full assumptions of each symbol and Dummy symbols numbered in order of appearance, the
    qualified names of the non-sympy classes in them, the bounds, names, ...), what is asked
    (``derived``, a control, an evaluator and its backend), and the *engine version*: a hash
    of the source of every ``theory/symbolic/*.py`` with the versions of Python, sympy and
    NumPy.  Any change of the engine's code starts a new set of entries.  The canonical text
    is stored in the entry and compared on loading, so two models never share an entry even
    if their hashes collided.
Location
    The directory ``$ASSOC_THEORY_CACHE`` if set; ``ASSOC_THEORY_CACHE=0`` (or ``off``,
    ``false``, ``no``) disables the cache.  The default is ``$XDG_CACHE_HOME/assoc-theory``
    or ``~/.cache/assoc-theory``.  Entries live in a subdirectory per engine version.
Robustness
    Writes are atomic (a temporary file in the same directory, then :func:`os.replace`), so
    concurrent processes (dask workers) and interrupts never leave a half-written entry.  An
    entry that cannot be read, unpickled or checked is ignored, recomputed and overwritten.
    A directory that cannot be created or written means no cache; a computation never fails
    because of the cache.
Format
    :mod:`pickle`.  Sympy expressions pickle with their structure (the engine's own classes
    ``GaussianAverage``, ``logcosh``, ``rabs``, ``rsign``, ``ExpAbsMoment`` by reference to
    their module); the Dummy symbols of a model are renamed to the current process's on
    loading, other Dummy symbols become fresh ones.  Functions made by ``lambdify`` are
    stored as their generated source and rebuilt with ``exec`` in the namespace the code
    generator gives them, so a loaded Evaluator returns bit-identical numbers.

Loading a pickle can execute code: point ``ASSOC_THEORY_CACHE`` only at a directory that no
one else can write.  :func:`clear` removes the entries.
"""

from __future__ import annotations

import builtins
import contextlib
import dataclasses
import dis
import functools
import hashlib
import importlib
import inspect
import io
import linecache
import logging
import os
import pickle
import platform
import string
import tempfile
import types
import weakref
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import sympy as sp
from sympy.printing.repr import ReprPrinter

__all__ = ["ENV_VAR", "cache_dir", "engine_version", "clear"]

#: The environment variable naming the cache directory (``0`` or ``off`` disables it).
ENV_VAR = "ASSOC_THEORY_CACHE"
_OFF = frozenset({"0", "off", "false", "no", "none", "disable", "disabled"})
#: Bumped when the layout of the entries changes.
_FORMAT = 1
_SUFFIX = ".pkl"
_LAMBDIFIED = "<lambdifygenerated-"

_log = logging.getLogger(__name__)


# ----------------------------------------------------------------------------------------
# location and version
# ----------------------------------------------------------------------------------------
def cache_dir() -> Path | None:
    """The cache directory (it may not exist yet), or None where the cache is disabled.

    ``$ASSOC_THEORY_CACHE`` if set (``0``, ``off``, ``false`` or ``no`` disable the cache),
    else ``$XDG_CACHE_HOME/assoc-theory``, else ``~/.cache/assoc-theory``.
    """
    value = os.environ.get(ENV_VAR, "").strip()
    if value.lower() in _OFF:
        return None
    try:
        if value:
            return Path(value).expanduser()
        xdg = os.environ.get("XDG_CACHE_HOME", "")
        base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"
    except (RuntimeError, KeyError):  # no home directory to be found: no cache
        return None
    return base / "assoc-theory"


def _source_hash() -> str | None:
    h = hashlib.sha256()
    h.update(f"format {_FORMAT}; python {platform.python_version()}; sympy {sp.__version__}; "
             f"numpy {np.__version__}\n".encode())
    try:
        for path in sorted(Path(__file__).resolve().parent.glob("*.py")):
            h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    except OSError:  # the source cannot be read: no version, no cache
        return None
    return h.hexdigest()


# Hashed when the engine is imported, so that a process whose source files are edited while
# it runs keeps tagging its entries with the code it actually runs.
_ENGINE = _source_hash()


def engine_version() -> str | None:
    """sha256 of the engine's source (``theory/symbolic/*.py``, as read when it was imported)
    and of the versions of Python, sympy and NumPy: entries made by other code are never
    read.  None (no cache) if the source could not be read."""
    return _ENGINE


def _entries_dir() -> Path | None:
    root, version = cache_dir(), engine_version()
    return None if root is None or version is None else root / version[:20]


def clear() -> int:
    """Remove every entry (of every engine version) from the cache directory; returns the
    number of files removed.  Other files in the directory are left alone."""
    root = cache_dir()
    n = 0
    if root is None or not root.is_dir():
        return 0
    for sub in root.iterdir():
        if not sub.is_dir() or len(sub.name) != 20 or set(sub.name) - set(string.hexdigits):
            continue
        for p in sub.iterdir():
            if p.suffix in (_SUFFIX, ".tmp"):
                with contextlib.suppress(OSError):
                    p.unlink()
                    n += 1
        with contextlib.suppress(OSError):
            sub.rmdir()
    return n


# ----------------------------------------------------------------------------------------
# canonical text of what defines a result
# ----------------------------------------------------------------------------------------
class _CanonicalPrinter(ReprPrinter):
    """``srepr`` in which symbols are numbered (``S0``, ``S1``, ...; Dummy symbols ``D0``, ...)
    in order of appearance and listed once, with their full assumptions, by :meth:`table`."""

    def __init__(self) -> None:
        super().__init__()
        self.symbols: dict[sp.Symbol, int] = {}
        self.dummies: dict[sp.Dummy, int] = {}

    def _print_Symbol(self, expr):  # noqa: N802 - sympy printer method names
        return f"S{self.symbols.setdefault(expr, len(self.symbols))}"

    def _print_Dummy(self, expr):  # noqa: N802
        return f"D{self.dummies.setdefault(expr, len(self.dummies))}"

    def table(self) -> str:
        def row(tag, k, s):
            assumptions = ", ".join(f"{a}={v}" for a, v in sorted(s.assumptions0.items()))
            return f"{tag}{k} = {type(s).__name__}({s.name!r}; {assumptions})"

        return "\n".join([row("S", k, s) for s, k in self.symbols.items()]
                         + [row("D", k, s) for s, k in self.dummies.items()])


def _foreign_classes(expr: sp.Basic) -> set[str]:
    """Qualified names of the classes in ``expr`` that are not sympy's own."""
    out = set()
    for node in sp.preorder_traversal(expr):
        for cls in (type(node), getattr(node, "func", None)):
            mod = getattr(cls, "__module__", "") or ""
            if isinstance(cls, type) and not mod.startswith("sympy."):
                out.add(f"{mod}.{cls.__qualname__}")
    return out


def _canonical(obj: Any, printer: _CanonicalPrinter, classes: set[str]) -> str:
    if isinstance(obj, sp.Basic):
        classes |= _foreign_classes(obj)
        return printer.doprint(obj)
    if obj is None or isinstance(obj, bool | str):
        return f"{type(obj).__name__}:{obj!r}"
    if isinstance(obj, int | np.integer):
        return f"int:{int(obj)!r}"
    if isinstance(obj, float):
        return f"float:{float(obj)!r}"
    if isinstance(obj, tuple | list):
        return "[" + ", ".join(_canonical(v, printer, classes) for v in obj) + "]"
    if isinstance(obj, Mapping):  # insertion order is kept: it can matter (stability)
        return "{" + ", ".join(f"{_canonical(k, printer, classes)}: "
                               f"{_canonical(v, printer, classes)}" for k, v in obj.items()) + "}"
    raise TypeError(f"cannot key a {type(obj).__name__}")


@dataclasses.dataclass(frozen=True)
class Key:
    """Canonical text of what defines an entry, and the Dummy symbols it names (in order)."""

    text: str
    dummies: tuple[sp.Dummy, ...] = ()

    def child(self, *parts: str) -> Key:
        """The key of a result derived from this one (``parts`` name it; plain text)."""
        return Key(self.text + "".join(f"\n> {p}" for p in parts), self.dummies)

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()


def model_key(model: Any) -> Key | None:
    """The key of a model: its class and every dataclass field (None if a field cannot be
    written canonically, which disables the disk cache for that model)."""
    printer = _CanonicalPrinter()
    classes: set[str] = set()
    lines = [f"{type(model).__module__}.{type(model).__qualname__}"]
    try:
        for f in dataclasses.fields(model):
            lines.append(f"{f.name} = {_canonical(getattr(model, f.name), printer, classes)}")
    except (TypeError, RecursionError) as exc:
        _log.debug("theory cache: %s is not cached (%s)", getattr(model, "name", model), exc)
        return None
    lines.append("classes = " + ", ".join(sorted(classes)))
    lines.append(printer.table())
    return Key("\n".join(lines), tuple(printer.dummies))


def key_of(*items: Any) -> Key | None:
    """The key of any sympy expressions and plain data (str, numbers, None, sequences,
    mappings), or None if an item cannot be written canonically."""
    printer = _CanonicalPrinter()
    classes: set[str] = set()
    try:
        lines = [_canonical(v, printer, classes) for v in items]
    except (TypeError, RecursionError):
        return None
    lines.append("classes = " + ", ".join(sorted(classes)))
    lines.append(printer.table())
    return Key("\n".join(lines), tuple(printer.dummies))


def memoize(kind: str) -> Callable:
    """Decorator: keep the results of a pure function of sympy expressions and plain data
    in the disk cache, keyed by its qualified name and all its arguments (defaults filled
    in).  Exceptions are not kept."""

    def decorate(fn: Callable) -> Callable:
        sig = inspect.signature(fn)
        name = f"{fn.__module__}.{fn.__qualname__}"

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            def key() -> Key | None:
                bound = sig.bind(*args, **kwargs)
                bound.apply_defaults()
                return key_of(name, dict(bound.arguments))

            return cached(kind, key, lambda: fn(*args, **kwargs))

        return wrapper

    return decorate


# ----------------------------------------------------------------------------------------
# lambdified functions: stored as their source
# ----------------------------------------------------------------------------------------
@functools.cache
def _namespace(backend: str) -> dict:
    """The globals that :func:`theory.symbolic.codegen._lambdify` gives generated code."""
    from .codegen import _lambdify

    return _lambdify([], [sp.S.Zero], backend).__globals__


def _global_names(code: types.CodeType) -> set[str]:
    names = {ins.argval for ins in dis.get_instructions(code)
             if ins.opname in ("LOAD_GLOBAL", "LOAD_NAME")}
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            names |= _global_names(c)
    return names


def _same_binding(a: Any, b: Any) -> bool:
    if a is b:
        return True
    return (type(a) is type(b) and getattr(a, "__module__", None) == getattr(b, "__module__", 0)
            and getattr(a, "__qualname__", None) == getattr(b, "__qualname__", 0))


_rebuilt_count = 0


def _rebuild_lambdified(backend: str, source: str) -> types.FunctionType:
    """A function generated by lambdify, rebuilt from its source (pickle's reducer)."""
    global _rebuilt_count
    filename = f"<lambdifygenerated-cache-{_rebuilt_count}>"
    _rebuilt_count += 1
    local: dict = {}
    exec(compile(source, filename, "exec"), _namespace(backend), local)  # noqa: S102
    (func,) = local.values()
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    weakref.finalize(func, linecache.cache.pop, filename, None)
    return func


class _Pickler(pickle.Pickler):
    """Pickles modules by name and lambdified functions (of ``backend``) by source."""

    def __init__(self, file, backend: str | None) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.backend = backend

    def reducer_override(self, obj):
        if isinstance(obj, types.ModuleType):
            return importlib.import_module, (obj.__name__,)
        if isinstance(obj, types.FunctionType) and obj.__code__.co_filename.startswith(
                _LAMBDIFIED):
            return _rebuild_lambdified, (self.backend, self._source(obj))
        return NotImplemented

    def _source(self, func: types.FunctionType) -> str:
        if self.backend is None or func.__closure__ or func.__defaults__:
            raise pickle.PicklingError("a lambdified function outside an Evaluator")
        entry = linecache.cache.get(func.__code__.co_filename)
        if entry is None:
            raise pickle.PicklingError("the source of a lambdified function is gone")
        source = "".join(entry[2])
        ns = _namespace(self.backend)
        for name in _global_names(func.__code__):
            if name in func.__globals__:
                if name not in ns or not _same_binding(func.__globals__[name], ns[name]):
                    raise pickle.PicklingError(f"generated code uses {name!r}, which the "
                                               "code generator's namespace does not give")
            elif not hasattr(builtins, name):
                raise pickle.PicklingError(f"generated code uses an unknown name {name!r}")
        return source


# ----------------------------------------------------------------------------------------
# Dummy symbols of a loaded value
# ----------------------------------------------------------------------------------------
def _walk(value: Any, on_expr: Callable[[sp.Basic], Any]) -> Any:
    """``value`` with ``on_expr`` applied to every sympy object in it (tuples, lists, dicts,
    dataclasses)."""
    if isinstance(value, sp.Basic):
        return on_expr(value)
    if isinstance(value, tuple | list):
        return type(value)(_walk(v, on_expr) for v in value)
    if isinstance(value, dict):
        return {_walk(k, on_expr): _walk(v, on_expr) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return type(value)(**{f.name: _walk(getattr(value, f.name), on_expr)
                              for f in dataclasses.fields(value)})
    return value


def _dummies_in(value: Any) -> tuple[sp.Dummy, ...]:
    found: dict[sp.Dummy, None] = {}

    def collect(e):
        found.update(dict.fromkeys(sorted(e.atoms(sp.Dummy), key=sp.default_sort_key)))
        return e

    _walk(value, collect)
    return tuple(found)


# ----------------------------------------------------------------------------------------
# entries
# ----------------------------------------------------------------------------------------
_MISS = object()


def _path(kind: str, key: Key) -> Path | None:
    d = _entries_dir()
    return None if d is None else d / f"{kind}-{key.digest}{_SUFFIX}"


def load(kind: str, key: Key) -> Any:
    """The stored value of ``(kind, key)``, or the private sentinel ``_MISS``."""
    path = _path(kind, key)
    if path is None:
        return _MISS
    try:
        data = path.read_bytes()
    except OSError:
        return _MISS
    try:
        entry = pickle.loads(data)  # noqa: S301 - our own cache directory (module docstring)
        if not (isinstance(entry, dict) and entry.get("format") == _FORMAT
                and entry.get("engine") == engine_version() and entry.get("kind") == kind
                and entry.get("key") == key.text
                and len(entry.get("dummies", ())) == len(key.dummies)):
            raise ValueError("the entry is not the one asked for")
        value = entry["value"]
        mapping = {old: new for old, new in zip(entry["dummies"], key.dummies, strict=True)
                   if old != new}
        mapping.update({d: sp.Dummy(d.name, **d.assumptions0) for d in entry["own_dummies"]})
        if mapping:
            value = _walk(value, lambda e: e.xreplace(mapping))
    except Exception as exc:  # a corrupt or foreign entry: recompute (and overwrite)
        _log.debug("theory cache: ignoring %s (%s: %s)", path, type(exc).__name__, exc)
        return _MISS
    return value


def store(kind: str, key: Key, value: Any, *, backend: str | None = None) -> bool:
    """Write ``value`` atomically; False (silently) where it cannot be written."""
    path = _path(kind, key)
    if path is None:
        return False
    try:
        own = () if backend is not None else tuple(d for d in _dummies_in(value)
                                                   if d not in key.dummies)
        entry = {"format": _FORMAT, "engine": engine_version(), "kind": kind, "key": key.text,
                 "dummies": key.dummies, "own_dummies": own, "value": value}
        buf = io.BytesIO()
        _Pickler(buf, backend).dump(entry)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem[:40]}-", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(buf.getbuffer())
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except Exception as exc:  # unwritable directory, unpicklable value: no cache
        _log.debug("theory cache: not storing %s (%s: %s)", path, type(exc).__name__, exc)
        return False
    return True


def cached(kind: str, key: Callable[[], Key | None], compute: Callable[[], Any], *,
           backend: str | None = None) -> Any:
    """``compute()``, through the disk cache where it is enabled.

    ``key`` is called only where the cache is enabled (None: do not cache).  ``backend``
    names the code generator's backend of the Evaluators in the value, whose lambdified
    functions are then stored as source.
    """
    if _entries_dir() is None:
        return compute()
    k = key()
    if k is None:
        return compute()
    value = load(kind, k)
    if value is _MISS:
        value = compute()
        store(kind, k, value, backend=backend)
    return value
