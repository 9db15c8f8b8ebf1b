"""The child process that scans commit ranges for a Dask worker: ``python -m
secretshift.sweep.worker`` reads one task per line (JSON) on stdin and writes one result per line
on stdout. Only redacted findings and their hashes leave this process."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from secretshift.config import Config, config_from_table
from secretshift.errors import FatalError
from secretshift.models import Finding


def main() -> int:
    """One task per line on stdin, one result per line on stdout, until stdin closes."""
    for line in sys.stdin.buffer:
        try:
            result = scan(json.loads(line))
        except FatalError as exc:
            result = {"error": str(exc)}
        except MemoryError:
            result = {"error": "scan ran out of memory (raise --task-memory)"}
        except Exception as exc:  # the message could quote input, and input may hold a secret
            result = {"error": f"internal error ({type(exc).__name__})"}
        sys.stdout.write(json.dumps(result) + "\n")
        sys.stdout.flush()
    return 0


def load_sweep_config(text: str | None, origin: str) -> Config:
    if text is None:
        return Config()
    from secretshift.scanner.rules import load_toml

    table = load_toml(text, origin)
    if origin.endswith("pyproject.toml"):
        table = table.get("tool", {}).get("secretshift", {})
    elif isinstance(table.get("secretshift"), dict):
        table = table["secretshift"]
    return config_from_table(table, origin, Path(origin).parent)


def scan(task: dict[str, Any]) -> dict[str, Any]:
    from secretshift.pipeline import scan_commits
    from secretshift.scanner.build import all_rule_descriptions
    from secretshift.sources.git import GitSelection

    config = load_sweep_config(task.get("config_text"), task.get("config_origin", "<defaults>"))
    revisions = (*task["include"], *(f"^{sha}" for sha in task["exclude"]))
    selection = GitSelection(task["git_dir"], revisions, task.get("since"), "sweep range", _shallow(task["git_dir"]))
    if not task["include"]:
        selection = GitSelection(task["git_dir"], (), None, "sweep range", frozenset(), empty=True)
    scanned = scan_commits(selection, config, jobs=1)  # one stream: Dask already runs a task per core
    found = scanned.result.findings
    if task.get("validate"):
        found = _validate(found, task["validate"], task["git_dir"])
    family = {rule.id: _family(rule.source, rule.provider) for rule in all_rule_descriptions(config)}
    findings = []
    for finding in found:
        record = finding.to_dict(show_secret=False)
        record["family"] = family.get(finding.rule, "generic")
        findings.append(record)
    return {
        "findings": findings,
        "skipped": [{"path": s.path, "reason": s.reason} for s in scanned.result.skipped],
        "commits": scanned.source.commits,
        "notes": scanned.source.notes(),
        "bytes": scanned.result.bytes_scanned,
    }


def _validate(findings: list[Finding], settings: dict[str, Any], git_dir: str) -> list[Finding]:
    from secretshift.validate.command import text_source
    from secretshift.validate.priority import only_valid
    from secretshift.validate.runner import ValidateOptions, validate_findings

    options = ValidateOptions(network_services=bool(settings.get("network_services")),
                              cache_ttl=float(settings.get("cache_ttl", 0)))
    checked = validate_findings(findings, options, text_of=text_source([Path(git_dir)]))
    return only_valid(checked) if settings.get("only_valid") else checked


def _family(source: str, provider: str) -> str:
    if source.startswith("plugins/rules/"):
        return Path(source).stem
    return provider.lower() or "generic"


def _shallow(git_dir: str) -> frozenset[str]:
    for candidate in (Path(git_dir) / "shallow", Path(git_dir) / ".git" / "shallow"):
        try:
            return frozenset(line.strip() for line in candidate.read_text(encoding="ascii").splitlines() if line.strip())
        except OSError:
            continue
    return frozenset()


if __name__ == "__main__":
    raise SystemExit(main())
