"""Registered rewriters, in the order they are tried; the first whose ``applies_to`` is true wins."""
from __future__ import annotations

from secretshift.migrate.rewriters.base import Rewriter


def registry() -> list[Rewriter]:
    # Explicit registry (no import-time discovery). Specific file kinds before generic ones.
    # Each rewriter module imports its heavy parser (libcst, ruamel) only inside `rewrite`.
    from secretshift.migrate.rewriters.dotenv import DotenvRewriter
    from secretshift.migrate.rewriters.python import PythonRewriter

    rewriters: list[Rewriter] = [DotenvRewriter(), PythonRewriter()]
    return rewriters


def rewriter_for(path: str, text: str) -> Rewriter | None:
    for rewriter in registry():
        if rewriter.applies_to(path, text):
            return rewriter
    return None
