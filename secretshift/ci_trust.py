"""Which configuration and baseline the CI gate obeys: the base commit's, not the pull request's.

`ci` checks a change; the configuration and the baseline in the checkout are part of that change.
A pull request that adds ``exclude = ["^src/"]``, disables a rule, or adds its secret's hash to
the baseline would otherwise approve itself. So the gate reads both from the **base commit** (the
commit the change is compared with: the PR's base, the push's previous tip), compares them with
the checkout's, and lists every difference in the job summary. A change that only makes the gate
stricter is applied; one that widens what it accepts (a new exclude or allowlist entry, a disabled
or weakened rule, a smaller size limit, new baseline entries) is ignored unless the workflow passes
``--trust-head-config`` — for runs where the change was reviewed already (a push to the default
branch after a merged PR), never for pull requests from people who may not approve themselves.
"""
from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from secretshift.baseline_file import BASELINE_NAME, Baseline, baseline_from_text, load_baseline
from secretshift.config import CONFIG_FILES, Config, config_from_text, load_config
from secretshift.errors import FatalError
from secretshift.safe_write import is_inside
from secretshift.sources.git import GitSelection

TRUST_FLAG = "--trust-head-config"


@dataclass(frozen=True)
class GateSettings:
    """What the gate obeys, and what the user must be told about how it was chosen."""

    config: Config
    baseline: Baseline | None
    notes: tuple[str, ...]  # one line each: the changes, and which side was used


@dataclass(frozen=True)
class _Side:
    config: Config
    baseline: Baseline | None
    config_name: str  # where it was read, for messages
    baseline_name: str


def gate_settings(root: Path, base: str | None, config_arg: str | None, baseline_arg: str | None,
                  trust_head: bool) -> GateSettings:
    """The base commit's settings, or the checkout's where the difference only narrows (or
    ``trust_head``). ``base`` None: no base commit exists (a repository's first push)."""
    head = _head_side(root, config_arg, baseline_arg)
    key = head.config.hash_key  # from the environment (SECRETSHIFT_HASH_KEY), the same for both sides
    if base is None:
        base_side = _Side(Config(hash_key=key), None, "(none: no base commit)", "(none)")
    else:
        base_side = _base_side(root, base, config_arg, baseline_arg, key)
    widens, narrows = compare(base_side, head)
    if not widens and not narrows:
        return GateSettings(head.config, head.baseline, ())
    where = f"base commit {base[:12]}" if base else "no base commit"
    notes = [f"this change edits the secretshift configuration or baseline ({where} compared with the checkout):"]
    notes += [f"  widens: {line}" for line in widens]
    notes += [f"  narrows: {line}" for line in narrows]
    if widens and not trust_head:
        notes.append(
            f"the gate used the {where}'s configuration and baseline: a change that widens what the gate "
            f"accepts takes effect once merged, or when the workflow passes {TRUST_FLAG}"
        )
        return GateSettings(base_side.config, base_side.baseline, tuple(notes))
    if widens:
        notes.append(f"{TRUST_FLAG}: the checkout's configuration and baseline were used as they are")
    return GateSettings(head.config, head.baseline, tuple(notes))


# -- reading each side ---------------------------------------------------------------------------
def _head_side(root: Path, config_arg: str | None, baseline_arg: str | None) -> _Side:
    config = load_config(config_arg, root)
    path = _baseline_path(root, baseline_arg, config.baseline)
    baseline = load_baseline(path, config.hash_key) if path is not None and path.is_file() else None
    if baseline_arg is not None and baseline is None:
        raise FatalError(f"baseline not found: {baseline_arg}")
    if config.baseline is not None and baseline_arg is None and baseline is None:
        raise FatalError(f"baseline from the config not found: {config.baseline}")
    return _Side(config, baseline, config.source or "(defaults)", str(path) if path else "(none)")


def _baseline_path(root: Path, explicit: str | None, configured: str | None) -> Path | None:
    if explicit is not None:
        return Path(explicit)
    if configured is not None:
        return Path(configured) if os.path.isabs(configured) else root / configured
    return root / BASELINE_NAME


def _base_side(root: Path, base: str, config_arg: str | None, baseline_arg: str | None,
               key: bytes | None) -> _Side:
    config, config_name = _base_config(root, base, config_arg)
    config = config._replace(hash_key=key)
    baseline, baseline_name = _base_baseline(root, base, baseline_arg, config.baseline, key)
    return _Side(config, baseline, config_name, baseline_name)


def _base_config(root: Path, base: str, config_arg: str | None) -> tuple[Config, str]:
    if config_arg is not None and not is_inside(config_arg, root):
        # A file outside the repository is the workflow's own, not the change's: it is the same
        # on both sides.
        return load_config(config_arg, root), config_arg
    names = [_relative(config_arg, root)] if config_arg is not None else list(CONFIG_FILES)
    for name in names:
        text = _show(root, base, name)
        if text is None:
            continue
        origin = f"{name} at {base[:12]}"
        folder = os.path.dirname(name)
        config = config_from_text(
            text, os.path.basename(name), origin, root / folder,
            lambda rule_file: _show_required(root, base, _join(folder, rule_file), origin),
        )
        if config is not None:
            return config, origin
    return Config(), f"(defaults at {base[:12]})"


def _base_baseline(root: Path, base: str, explicit: str | None,
                   configured: str | None, key: bytes | None) -> tuple[Baseline | None, str]:
    if explicit is not None and not is_inside(explicit, root):
        return load_baseline(Path(explicit), key), explicit
    if explicit is not None:
        name = _relative(explicit, root)
    elif configured is not None and os.path.isabs(configured) and not is_inside(configured, root):
        return load_baseline(Path(configured), key), configured
    elif configured is not None:
        name = _relative(configured, root) if os.path.isabs(configured) else _posix(configured)
    else:
        name = BASELINE_NAME
    text = _show(root, base, name)
    if text is None:
        return None, f"(no {name} at {base[:12]})"
    origin = f"{name} at {base[:12]}"
    return baseline_from_text(text, origin, key), origin


def _relative(path: str, root: Path) -> str:
    """``path`` relative to the repository root, without resolving the path's own components: a
    directory the change turned into a symlink must not choose which base-commit file is read."""
    real_root = os.path.realpath(root)
    absolute = os.path.normpath(os.path.join(os.path.realpath(os.getcwd()), path))
    relative = os.path.relpath(absolute, real_root)
    if relative.startswith(".."):  # an absolute path through the user's own symlinked parent
        relative = os.path.relpath(os.path.join(os.path.realpath(os.path.dirname(absolute)),
                                                os.path.basename(absolute)), real_root)
    return _posix(relative)


def _posix(path: str) -> str:
    return path.replace(os.sep, "/").removeprefix("./")


def _join(folder: str, name: str) -> str:
    return _posix(os.path.normpath(os.path.join(folder, name)))


def _show(root: Path, commit: str, name: str) -> str | None:
    """``git show COMMIT:NAME`` as text, None when the commit has no such file."""
    proc = subprocess.run(["git", "-C", str(root), "cat-file", "blob", f"{commit}:{name}"],
                          capture_output=True, check=False)
    if proc.returncode != 0:
        return None
    try:
        return proc.stdout.decode("utf-8")
    except UnicodeDecodeError:
        raise FatalError(f"{name} at {commit[:12]} is not UTF-8 text") from None


def _show_required(root: Path, commit: str, name: str, origin: str) -> str:
    text = _show(root, commit, name)
    if text is None:
        raise FatalError(f"{origin}: rule file {name} is not in commit {commit[:12]}")
    return text


# -- comparing -----------------------------------------------------------------------------------
def compare(base: _Side, head: _Side) -> tuple[list[str], list[str]]:
    """(widens, narrows): human lines for each difference, by its effect on what passes."""
    widens: list[str] = []
    narrows: list[str] = []
    b, h = base.config, head.config
    _sets(widens, narrows, "disables rule(s)", "re-enables rule(s)", b.disabled, h.disabled)
    _enabled(widens, narrows, b.enabled_only, h.enabled_only)
    _sets(widens, narrows, "excludes paths matching", "stops excluding", b.exclude, h.exclude)
    for field_name in ("stopwords", "regexes", "paths"):
        _sets(widens, narrows, f"adds allowlist {field_name}", f"removes allowlist {field_name}",
              getattr(b.allowlist, field_name), getattr(h.allowlist, field_name))
    if h.max_file_size < b.max_file_size:
        widens.append(f"lowers max_file_size from {b.max_file_size} to {h.max_file_size} bytes")
    elif h.max_file_size > b.max_file_size:
        narrows.append(f"raises max_file_size from {b.max_file_size} to {h.max_file_size} bytes")
    _rules(widens, narrows, b, h)
    _baselines(widens, narrows, base.baseline, head.baseline)
    return widens, narrows


def _sets(widens: list[str], narrows: list[str], added_label: str, removed_label: str,
          base: Iterable[str], head: Iterable[str]) -> None:
    added = sorted(set(head) - set(base))
    removed = sorted(set(base) - set(head))
    if added:
        widens.append(f"{added_label} {', '.join(map(repr, added))}")
    if removed:
        narrows.append(f"{removed_label} {', '.join(map(repr, removed))}")


def _enabled(widens: list[str], narrows: list[str], base: frozenset[str] | None,
             head: frozenset[str] | None) -> None:
    if base == head:
        return
    if head is None:
        narrows.append("runs every rule (removes `enable`)")
    elif base is None or base - head:
        lost = sorted(base - head) if base is not None else []
        widens.append("restricts `enable` to " + ", ".join(map(repr, sorted(head)))
                      + (f" (drops {', '.join(map(repr, lost))})" if lost else ""))
    else:
        narrows.append(f"enables more rules: {', '.join(map(repr, sorted(head - base)))}")


def _rules(widens: list[str], narrows: list[str], base: Config, head: Config) -> None:
    head_rules = {rule.id: rule for rule in head.extra_rules}
    for rule in base.extra_rules:
        if rule.id not in head_rules:
            widens.append(f"removes custom rule {rule.id!r}")
        elif head_rules[rule.id] != rule:
            widens.append(f"changes custom rule {rule.id!r}")
    added = sorted(set(head_rules) - {rule.id for rule in base.extra_rules})
    if added:
        narrows.append(f"adds custom rule(s) {', '.join(map(repr, added))}")


def _baselines(widens: list[str], narrows: list[str], base: Baseline | None, head: Baseline | None) -> None:
    base_ids = {entry.identity for entry in base.entries} if base else set()
    head_ids = {entry.identity for entry in head.entries} if head else set()
    added = sorted(head_ids - base_ids)
    removed = sorted(base_ids - head_ids)
    if added:
        files = sorted({filename for filename, _ in added})
        shown = ", ".join(files[:5]) + (f" and {len(files) - 5} more" if len(files) > 5 else "")
        widens.append(f"adds {len(added)} baseline entr{'y' if len(added) == 1 else 'ies'} ({shown})")
    if removed:
        narrows.append(f"removes {len(removed)} baseline entr{'y' if len(removed) == 1 else 'ies'}")


def base_commit(selection: GitSelection) -> str | None:
    """The commit the checked change is compared with: the one excluded revision of a PR or push
    range; for a new branch (every other branch excluded) the newest commit the branch shares
    with them; None when the range has no boundary (a repository's first push)."""
    excluded = [rev[1:] for rev in selection.revisions if rev.startswith("^")]
    if len(excluded) == 1:
        return excluded[0]
    if not excluded:
        return None
    proc = subprocess.run(["git", "-C", selection.root, "rev-list", "--boundary", *selection.revisions, "--"],
                          capture_output=True, text=True, check=False)
    boundary = [line[1:] for line in proc.stdout.split() if line.startswith("-")]
    return boundary[0] if boundary else None
