"""What the commit gate tells a user to do about a blocked secret: commands that work where the
gate runs (inside pre-commit, in a plain git hook, in a shell) and that a user can paste as
printed. Command lines are indented eight spaces, explanations four."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from secretshift.install import (
    BASELINE_HOOK,
    MIGRATE_HOOK,
    PRE_COMMIT_CONFIG,
    install_command,
    manual_hook_command,
    pre_commit_hook_listed,
    under_pre_commit,
)
from secretshift.models import Finding
from secretshift.textutil import printable_path, shell_word
from secretshift.triage import Triage

COMMAND = " " * 8
NOTE = " " * 4
# Top-level packages of the `migrate` extra (planning a code file rewrites it with these);
# top-level only, so looking them up imports nothing.
_MIGRATE_PACKAGES = ("boto3", "libcst", "ruamel")


def after_options(paths: Sequence[str]) -> str:
    """``paths`` as shell words for a command line, behind ``--`` when one could pass for an option."""
    words = " ".join(shell_word(path) for path in paths)
    return f"-- {words}" if any(path.startswith("-") for path in paths) else words


def migrate_extra_missing() -> bool:
    from importlib.util import find_spec

    return any(find_spec(name) is None for name in _MIGRATE_PACKAGES)


def migrate_hints(target: str, root: Path, environ: Mapping[str, str] | None = None) -> list[str]:
    """How to move the secret at ``target`` (PATH:LINE) into AWS Secrets Manager."""
    lines = ["  - move it to AWS Secrets Manager (the plan changes nothing; `migrate apply` does):"]
    if under_pre_commit(environ):
        if pre_commit_hook_listed(MIGRATE_HOOK, root):
            return [*lines, COMMAND + manual_hook_command(MIGRATE_HOOK),
                    NOTE + "(it plans every secret of the repository)"]
        return [*lines,
                NOTE + "(secretshift runs in pre-commit's own environment, not on your PATH: install it once)",
                COMMAND + install_command("migrate", environ),
                COMMAND + f"secretshift migrate plan {target}"]
    lines.append(COMMAND + f"secretshift migrate plan {target}")
    if migrate_extra_missing():
        lines += [NOTE + "(planning code files needs the `migrate` extra:)", COMMAND + install_command("migrate", environ)]
    return [*lines, NOTE + "(or go through them one by one: secretshift migrate interactive)"]


def baseline_hints(files: Sequence[str], baseline: str, default_name: str, root: Path,
                   environ: Mapping[str, str] | None = None) -> list[str]:
    """How to accept the findings in ``files`` into the baseline (``baseline``, root-relative)."""
    lines = ["  - accept it for now (reviewed, to migrate later): add it to the baseline"]
    stage = COMMAND + f"git add {after_options([baseline])}"
    if under_pre_commit(environ):
        if not pre_commit_hook_listed(BASELINE_HOOK, root):
            lines.append(NOTE + f"(first list `- id: {BASELINE_HOOK}` under the secretshift hooks in {PRE_COMMIT_CONFIG})")
        if baseline != default_name:
            lines.append(NOTE + f"(give the {BASELINE_HOOK} hook the same `args: [--baseline, {baseline}]`)")
        return [*lines, COMMAND + manual_hook_command(BASELINE_HOOK), stage,
                NOTE + '(pre-commit reports the baseline as "modified by this hook": that is the update)']
    baseline_arg = "" if baseline == default_name else f" --baseline {shell_word(baseline)}"
    files_arg = after_options(files)
    return [*lines, COMMAND + f"secretshift baseline update{baseline_arg} {files_arg}", stage]


# -- findings from git history ----------------------------------------------------------------
HISTORY_ONLY = "history_only"  # a Finding.context key: "1" when the work tree no longer holds it


def mark_history_only(triaged: Triage, root: Path) -> Triage:
    """``triaged`` (findings from commits) with each new finding marked when its secret is no
    longer in the work tree's file at its path: there is nothing to migrate, only a credential
    to rotate (and history to purge)."""
    contents: dict[str, str | None] = {}
    marked = []
    for finding in triaged.new:
        if finding.commit is None:
            marked.append(finding)
            continue
        if finding.path not in contents:
            contents[finding.path] = _work_tree_text(root / finding.path)
        text = contents[finding.path]
        if text is None or finding.secret.reveal() not in text:
            finding = finding._replace(context=(*finding.context, (HISTORY_ONLY, "1")))
        marked.append(finding)
    return triaged._replace(new=tuple(marked))


def is_history_only(finding: Finding) -> bool:
    return finding.context_value(HISTORY_ONLY) == "1"


def history_only_hint(finding: Finding) -> str:
    commit = (finding.commit or "")[:12]
    return (f"  history only: not in the current {printable_path(finding.path)}, but commit {commit} holds it, "
            "so nothing to migrate: rotate it at its provider now (anyone with a clone has it); "
            "then, if the history must be cleaned, put the value in a file outside the repository "
            "(`VALUE==>REMOVED`, one line) and run `git filter-repo --replace-text FILE`")


def _work_tree_text(path: Path) -> str | None:
    """The file's text, or None when it is gone; links are not followed (never out of the tree)."""
    import os

    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        data = handle.read(64 * 1024 * 1024)
    return data.decode("utf-8", "surrogateescape")
