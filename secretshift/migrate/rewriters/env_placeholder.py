"""Properties (incl. Spring), INI and TOML files: the value becomes a ``${ENV_VAR}`` placeholder.

Spring resolves ``${SPRING_DATASOURCE_PASSWORD}`` from the environment by itself; for INI and TOML
the placeholder is expanded by the application (``os.path.expandvars``, PHP's ini parser) or at
deploy (``envsubst``). Quotes and everything else on the line stay as they were.
"""
from __future__ import annotations

import configparser
from collections.abc import Sequence

from secretshift.errors import FatalError

from secretshift.migrate.rewriters.base import Reference, RewriteRefused, RewriteResult, RewriteSettings, char_span
from secretshift.migrate.rewriters.common import apply_edits, basename, env_name

SPRING_NOTE = (
    "Spring can also read the secret directly: with Spring Cloud AWS, "
    "spring.config.import=aws-secretsmanager:{name} exposes its JSON keys as properties"
)

INI_NOTE = (
    "INI has no standard variable syntax: expand ${VAR} with os.path.expandvars (or envsubst at deploy) "
    "before parsing; Python's configparser ExtendedInterpolation would read ${VAR} as another option"
)


class EnvPlaceholderRewriter:
    name = "env-placeholder"

    def applies_to(self, path: str, text: str) -> bool:
        return path.endswith((".properties", ".ini", ".cfg", ".conf", ".toml")) and basename(path) != "pyproject.toml"

    def rewrite(self, path: str, text: str, refs: Sequence[Reference], settings: RewriteSettings) -> RewriteResult:
        if not refs:
            return RewriteResult(text)
        edits = []
        notes = []
        for ref in refs:
            start, end = char_span(text, ref)
            variable = env_name(ref)
            edits.append((start, end, "${" + variable + "}"))
            notes.append(f"{path}: set {variable} in the environment from AWS Secrets Manager secret "
                         f"{ref.secret_name} (key {ref.json_key})")
            if path.endswith(".properties") and basename(path).startswith(("application", "bootstrap")):
                notes.append(SPRING_NOTE.format(name=ref.secret_name))
            if path.endswith((".ini", ".cfg", ".conf")):
                notes.append(INI_NOTE)
        return RewriteResult(_checked(path, apply_edits(text, edits)), notes=tuple(dict.fromkeys(notes)))


def _checked(path: str, text: str) -> str:
    """The rewritten text, if it still parses in its format (TOML, INI); else the rewrite is refused."""
    from secretshift.scanner.rules import load_toml  # tomllib, or tomli before Python 3.11

    try:
        if path.endswith(".toml"):
            load_toml(text, path)
        elif path.endswith((".ini", ".cfg")):
            configparser.RawConfigParser(strict=False).read_string(text)
    except (FatalError, configparser.Error):
        raise RewriteRefused(f"{path}: the rewritten file would not parse; left untouched") from None
    return text
