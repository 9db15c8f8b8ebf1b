"""Which migrated values ever reached git history: each is compromised and must be rotated.

The whole history of every ref, searched on every core by
:func:`secretshift.sources.split_history.oldest_additions` (added lines only, binary-flagged files
included, the oldest commit that added each value). Values never go on a command line (other
local users can read process arguments), so `git log -S<value>` is not used. The bounded
one-stream pass below serves callers that ask for explicit bounds.
"""
from __future__ import annotations

import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

MAX_COMMITS = 5000
MAX_BYTES = 512 << 20  # of diff text: a repository of huge generated files must not stall apply


@dataclass(frozen=True)
class Exposure:
    label: str  # "secret-name#json-key"
    commit: str  # short sha of the oldest commit (within the bound) that added it
    bounded: bool  # True when history was longer than the bound (an older commit may exist)


def forms(value: str) -> list[str]:
    """How a value may be written: as is, and base64-encoded (Kubernetes Secret `data:`)."""
    import base64

    return [value, base64.b64encode(value.encode("utf-8", "surrogateescape")).decode("ascii")]


def _needles(value: str) -> list[bytes]:
    # A multi-line value (a PEM key) is matched by its longest line: diffs are line-based. A file
    # saved as UTF-16 (PowerShell 5's default) holds the value in that encoding: the history is
    # read with `--text`, so those bytes are in the patch text too.
    lines = [max(f.splitlines() or [f], key=len) for f in forms(value)]
    return [line.encode(codec, "surrogateescape" if codec == "utf-8" else "surrogatepass")
            for line in lines for codec in ("utf-8", "utf-16-le", "utf-16-be")]


def exposures(root: Path, values: Mapping[str, str], max_commits: int = MAX_COMMITS,
              max_bytes: int = MAX_BYTES) -> tuple[list[Exposure], bool]:
    """(the values found, whether the whole history was read)."""
    needles = {label: _needles(v) for label, v in values.items() if len(v) >= 4}
    if not needles:
        return [], True
    if max_commits == MAX_COMMITS and max_bytes == MAX_BYTES:
        # The whole history, on every core (secretshift.sources.split_history).
        from secretshift.errors import FatalError
        from secretshift.sources.split_history import oldest_additions

        try:
            oldest = oldest_additions(str(root), needles)
        except FatalError:  # not a git repository: no history to have leaked into
            return [], True
        return [Exposure(label, oldest[label][:7], False) for label in sorted(oldest)], True
    try:
        proc = subprocess.Popen(
            ["git", "-C", str(root), "log", "--all", "-p", "--text", "-U0", "--no-color", "--no-ext-diff",
             "--no-renames", f"--max-count={max_commits}", "--format=%x00%h"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )
    except OSError:
        return [], False
    first: dict[str, str] = {}
    commits = 0
    commit = ""
    read = 0
    cut = False
    assert proc.stdout is not None
    for line in proc.stdout:
        read += len(line)
        if read > max_bytes:
            cut = True
            proc.kill()
            break
        if line.startswith(b"\0"):
            commit = line[1:].strip().decode()
            commits += 1
            continue
        if not line.startswith(b"+") or line.startswith(b"+++ "):
            continue
        for label, options in needles.items():
            if any(needle in line for needle in options):
                first[label] = commit  # newest first: the last one seen is the oldest
    proc.wait()
    bounded = cut or commits >= max_commits
    return [Exposure(label, first[label], bounded) for label in sorted(first)], not bounded


def multiline_pattern(value: str) -> str:
    """A one-line Python regex matching a multi-line value whole: each line escaped, the line
    breaks as `\\r?\\n` followed by any indentation (a PEM key inside a YAML block scalar)."""
    import re

    rows = [line.strip() for line in value.strip("\r\n").splitlines()]
    return r"\r?\n[ \t]*".join(re.escape(row).replace("\n", r"\n") for row in rows)


def write_replace_file(path: Path, values: Mapping[str, str]) -> None:
    """A `git filter-repo --replace-text` expressions file: it necessarily holds the values, so it
    is created owner-only (0600) and only where the caller checked it is outside the repository.

    filter-repo reads one expression per line (`literal:`, `regex:` or `glob:`, then
    `==>replacement`). A multi-line value therefore becomes ONE `regex:` expression matching the
    whole value; splitting it into its lines would also rewrite lines that other content shares
    (`-----BEGIN RSA PRIVATE KEY-----`) across all history."""
    import os

    lines = []
    for label, value in sorted(values.items()):
        replacement = f"REMOVED-{label.replace(chr(10), ' ')}"
        for form in forms(value):
            if "\n" in form.strip("\r\n"):
                lines.append(f"regex:{multiline_pattern(form)}==>{replacement}\n")
            elif form.strip():
                lines.append(f"literal:{form}==>{replacement}\n")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, "".join(lines).encode("utf-8", "surrogateescape"))
    finally:
        os.close(fd)
