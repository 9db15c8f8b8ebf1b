"""Two examples for every command's `--help` (command path -> example lines), shown as the help's
epilog. A test checks that every command and sub-command the CLI has is listed here."""
from __future__ import annotations

import argparse

EXAMPLES: dict[str, tuple[str, ...]] = {
    "scan": (
        "secretshift scan .                                   # the work tree (.gitignore respected)",
        "git show HEAD:app/.env | secretshift scan - --stdin-name app/.env --explain",
        "secretshift scan --history --format sarif -o secrets.sarif",
    ),
    "rules": (
        "secretshift rules                     # id and description of every rule",
        "secretshift rules --format json | jq -r '.[].id'",
    ),
    "hook": (
        "secretshift hook app/settings.py      # what pre-commit runs on the staged files",
        "secretshift hook                      # check the whole index, as `scan --staged`",
    ),
    "baseline": (
        "secretshift baseline create && git add .secrets.baseline",
        "secretshift baseline audit --report",
    ),
    "baseline create": (
        "secretshift baseline create                     # .secrets.baseline at the repository root",
        "secretshift baseline create --baseline ci/.secrets.baseline src/",
    ),
    "baseline update": (
        "secretshift baseline update                     # rescan everything, keep labels",
        "secretshift baseline update app/settings.py     # only that file's entries change",
    ),
    "baseline audit": (
        "secretshift baseline audit                      # label each unlabelled entry (y/n/s/q)",
        "secretshift baseline audit .secrets.baseline --report",
    ),
    "install-hook": (
        "secretshift install-hook                        # .git/hooks/pre-commit",
        "secretshift install-hook --pre-push --force     # also pre-push; replace a foreign hook",
    ),
    "ci": (
        "secretshift ci                                  # range from GitHub Actions / GitLab CI",
        "secretshift ci --base origin/main --report junit=secretshift.xml",
    ),
    "migrate": (
        "secretshift migrate plan .env --out plan.json",
        "secretshift migrate apply plan.json --dry-run",
    ),
    "migrate plan": (
        "secretshift migrate plan app/settings.py:12     # one finding",
        "secretshift migrate plan . --out plan.json      # everything, written for apply",
    ),
    "migrate apply": (
        "secretshift migrate apply plan.json --dry-run",
        "secretshift migrate apply plan.json --yes --region eu-west-1",
    ),
    "migrate interactive": (
        "secretshift migrate interactive config/ .env",
        "printf 'allow\\nbaseline\\nn\\n' | secretshift migrate interactive values.yaml",
    ),
    "sweep": (
        "secretshift sweep ~/src                         # every repository under ~/src (2 levels)",
        "secretshift sweep --repos repos.txt --scheduler tcp://dask-scheduler:8786",
    ),
    "rotation": (
        "secretshift rotation check",
        "secretshift rotation check --region eu-west-1 --as-of 2026-12-31",
    ),
    "rotation check": (
        "secretshift rotation check                      # exit 1 when a secret is past its lifetime",
        "secretshift rotation check --profile audit --as-of 2027-01-01",
    ),
}


def epilog(command: str) -> str:
    return "examples:\n" + "\n".join(f"  {line}" for line in EXAMPLES.get(command, ()))


def attach(parser: argparse.ArgumentParser, command: str) -> None:
    """Give ``parser`` and its sub-commands their examples."""
    parser.epilog = epilog(command)
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                attach(sub, f"{command} {name}")


def command_paths(parser: argparse.ArgumentParser, prefix: str = "") -> list[str]:
    """Every command path under ``parser`` (for the test that keeps EXAMPLES complete)."""
    paths = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                path = f"{prefix} {name}".strip()
                paths += [path, *command_paths(sub, path)]
    return paths
