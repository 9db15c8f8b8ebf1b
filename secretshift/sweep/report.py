"""One merged document for a sweep, and its JSON and SARIF renderings (the HTML one lives with the
other report renderers, in :mod:`secretshift.report.html`)."""
from __future__ import annotations

import shlex
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

from secretshift import __version__
from secretshift.sweep.store import RepoRecord
from secretshift.textutil import json_text

DOCUMENT_VERSION = 1
TOP = 10  # rows in the "most exposed" and "oldest exposure" tables


def migrate_command(record: RepoRecord) -> str:
    """What to run next for this repository (it plans the secrets still in its files; history-only
    ones are listed by the plan as "rotate now")."""
    if "://" in record.location or "@" in record.location.split("/", 1)[0]:
        name = shlex.quote(record.name.rsplit("/", 1)[-1])
        return f"git clone {shlex.quote(record.location)} {name} && cd {name} && secretshift migrate plan ."
    return f"secretshift migrate plan {shlex.quote(record.location)}"


def build_document(records: Sequence[RepoRecord], seconds: float | None = None) -> dict[str, Any]:
    repos = sorted(records, key=lambda r: r.name)
    rows: list[dict[str, Any]] = []
    by_secret: dict[str, dict[str, Any]] = {}
    dated: list[dict[str, Any]] = []
    for record in repos:
        findings = [{**f, "repo": record.name} for f in record.findings]
        rows.append({
            "name": record.name,
            "location": record.location,
            "status": record.status,
            "error": record.error,
            "last_run": record.last_run,
            "commits": record.commits,
            "refs": len(record.tips),
            "scanned_at": record.scanned_at,
            "findings": findings,
            "skipped": record.skipped,
            "notes": record.notes,
            "migrate_command": migrate_command(record) if record.status == "ok" else
            "fix the error above, then run the sweep again (done repositories are kept)",
        })
        for finding in findings:
            entry = by_secret.setdefault(finding["secret_hash"], {
                "secret_hash": finding["secret_hash"], "redacted": finding["redacted"],
                "rule": finding["rule"], "repositories": set(), "locations": 0})
            entry["repositories"].add(record.name)
            entry["locations"] += 1
            if finding.get("author_date"):
                dated.append(finding)
    shared = sorted(
        ({**e, "repositories": sorted(e["repositories"])} for e in by_secret.values() if len(e["repositories"]) > 1),
        key=lambda e: (-len(e["repositories"]), -e["locations"], e["secret_hash"]),
    )
    oldest = _oldest_per_secret(dated)
    findings_total = sum(len(r["findings"]) for r in rows)
    return {
        "version": DOCUMENT_VERSION,
        "tool": f"secretshift {__version__}",
        "generated_at": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        "totals": {
            "repositories": len(rows),
            "failed": sum(1 for r in rows if r["status"] == "error"),
            "repositories_with_findings": sum(1 for r in rows if r["findings"]),
            "findings": findings_total,
            "distinct_secrets": len(by_secret),
            "commits_scanned": sum(r["commits"] for r in rows),
            **({"seconds": round(seconds, 2)} if seconds is not None else {}),
        },
        "by_family": _count(f.get("family", "generic") for r in rows for f in r["findings"]),
        "by_repository": dict(sorted(((r["name"], len(r["findings"])) for r in rows if r["findings"]),
                                     key=lambda kv: (-kv[1], kv[0]))),
        "exposed_in_several_repositories": shared[:TOP],
        "oldest_exposures": oldest[:TOP],
        "repositories": rows,
    }


def _oldest_per_secret(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    first: dict[str, dict[str, Any]] = {}
    for finding in findings:
        date = _parse_date(finding["author_date"])
        current = first.get(finding["secret_hash"])
        if current is None or date < current["_date"]:
            first[finding["secret_hash"]] = {**finding, "_date": date}
    ordered = sorted(first.values(), key=lambda f: (f["_date"], f["secret_hash"]))
    return [{k: v for k, v in f.items() if k != "_date"} for f in ordered]


def _parse_date(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return datetime.max.replace(tzinfo=timezone.utc)


def _count(values: Any) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for value in values:
        counts[value] += 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def render_json(document: dict[str, Any]) -> str:
    return json_text(document)


def render_sarif(document: dict[str, Any]) -> str:
    """SARIF 2.1.0 with one run per repository (each names its repository in
    ``versionControlProvenance``)."""
    from secretshift.report.sarif import FINGERPRINT, SCHEMA, artifact_uri

    runs = []
    for repo in document["repositories"]:
        rule_ids = sorted({f["rule"] for f in repo["findings"]})
        descriptions = {f["rule"]: f["description"] for f in repo["findings"]}
        index = {rule: i for i, rule in enumerate(rule_ids)}
        results = []
        for f in repo["findings"]:
            key = f" assigned to `{f['key']}`" if f.get("key") else ""
            properties = {k: v for k, v in (("commit", f.get("commit")), ("authorDate", f.get("author_date")),
                                            ("key", f.get("key")), ("family", f.get("family"))) if v}
            results.append({
                "ruleId": f["rule"],
                "ruleIndex": index[f["rule"]],
                "level": "error",
                "message": {"text": f"{f['description']}{key}: {f['redacted']}. In the history of "
                                    f"{repo['name']}: rotate it, then move it to AWS Secrets Manager."},
                "locations": [{"physicalLocation": {
                    "artifactLocation": artifact_uri(f["path"]),
                    "region": {"startLine": f["line"], "startColumn": f["column"],
                               "endLine": f["end_line"], "endColumn": f["end_column"]},
                }}],
                "partialFingerprints": {FINGERPRINT: f["secret_hash"]},
                **({"properties": properties} if properties else {}),
            })
        run: dict[str, Any] = {
            "tool": {"driver": {
                "name": "secretshift", "semanticVersion": __version__, "version": __version__,
                "informationUri": "https://github.com/secretshift/secretshift",
                "rules": [{"id": rule, "shortDescription": {"text": descriptions[rule]}} for rule in rule_ids],
            }},
            "automationDetails": {"id": f"secretshift-sweep/{repo['name']}/"},
            "versionControlProvenance": [{"repositoryUri": _uri(repo["location"])}],
            "columnKind": "unicodeCodePoints",
            "results": results,
        }
        notes = [{"message": {"text": f"repository not scanned: {repo['error']}"}, "level": "error"}] if repo["error"] else []
        run["invocations"] = [{"executionSuccessful": repo["status"] == "ok", "toolExecutionNotifications": notes}]
        runs.append(run)
    return json_text({"$schema": SCHEMA, "version": "2.1.0", "runs": runs})


def _uri(location: str) -> str:
    if "://" in location:
        return location
    from pathlib import Path

    return Path(location).as_uri() if location.startswith("/") else location
