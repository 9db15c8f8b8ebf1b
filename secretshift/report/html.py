"""A self-contained HTML report: no scripts, no fonts, no network assets; values redacted.

The sweep renders its merged document with :func:`render_document`; ``scan --format html`` goes
through :func:`render`, which builds the same document for one repository.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from secretshift.report import ReportInput

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#1f2328;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
.meta{color:#59636e}.cards{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}
.card{border:1px solid #d0d7de;border-radius:6px;padding:10px 16px;min-width:120px}
.card b{display:block;font-size:24px}.card.bad b{color:#cf222e}
table{border-collapse:collapse;width:100%;margin:6px 0}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eaeef2;vertical-align:top}
th{background:#f6f8fa}code{font:12px ui-monospace,monospace;background:#f6f8fa;padding:1px 4px;border-radius:4px;word-break:break-all}
.charts{display:flex;flex-wrap:wrap;gap:32px}.chart text{font:12px system-ui,sans-serif;fill:#1f2328}
.error{color:#cf222e}details{margin:6px 0}summary{cursor:pointer}
"""
_RUNS = {"full": "scanned (whole history)", "incremental": "scanned (new commits)",
         "unchanged": "unchanged since the last sweep"}
_BAR = "#cf222e"
_BAR2 = "#0969da"


def render(report: ReportInput) -> str:
    """``scan --format html``: one repository's findings."""
    findings = []
    rules = {rule.id: rule for rule in report.rules}
    for finding in report.result.findings:
        record = finding.to_dict(show_secret=False)
        rule = rules.get(finding.rule)
        record["family"] = rule.source.rsplit("/", 1)[-1].removesuffix(".toml") if rule and rule.source.endswith(".toml") else "generic"
        findings.append(record)
    by_family: dict[str, int] = {}
    for record in findings:
        by_family[record["family"]] = by_family.get(record["family"], 0) + 1
    document = {
        "tool": "secretshift",
        "generated_at": "",
        "totals": {"findings": len(findings), "files_scanned": report.result.files_scanned,
                   "skipped": len(report.result.skipped)},
        "by_family": dict(sorted(by_family.items(), key=lambda kv: (-kv[1], kv[0]))),
        "by_repository": {},
        "exposed_in_several_repositories": [],
        "oldest_exposures": [],
        "repositories": [{"name": "scan", "location": "", "status": "ok", "error": None, "last_run": "",
                          "commits": 0, "findings": findings, "skipped": [s.__dict__ for s in report.result.skipped],
                          "notes": [], "migrate_command": "secretshift migrate plan ."}],
    }
    return render_document(document, title="secretshift scan report")


def render_document(doc: Mapping[str, Any], title: str = "secretshift sweep report") -> str:
    parts = [
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">",
        "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">",
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f"<p class=\"meta\">{escape(str(doc.get('tool', '')))} · {escape(str(doc.get('generated_at', '')))} · "
        "values are redacted; hashes identify the same secret across repositories</p>",
        _cards(doc["totals"]),
        "<div class=\"charts\">",
        _chart("Findings by rule family", doc.get("by_family", {}), _BAR, "chart-family"),
    ]
    if doc.get("by_repository"):
        parts.append(_chart("Findings by repository", doc["by_repository"], _BAR2, "chart-repository"))
    parts.append("</div>")
    if doc.get("exposed_in_several_repositories"):
        parts.append("<h2>Most exposed secrets (the same value in several repositories)</h2>")
        parts.append(_table(["secret", "rule", "repositories", "places"], [
            [_code(e["redacted"]) + f" <span class=\"meta\">{escape(e['secret_hash'][:12])}</span>", escape(e["rule"]),
             escape(", ".join(e["repositories"])), str(e["locations"])] for e in doc["exposed_in_several_repositories"]]))
    if doc.get("oldest_exposures"):
        parts.append("<h2>Oldest exposure (rotate these first)</h2>")
        parts.append(_table(["first committed", "repository", "where", "rule", "secret"], [
            [escape(f.get("author_date", "")), escape(f["repo"]), _code(f"{f['path']}:{f['line']}"),
             escape(f["rule"]), _code(f["redacted"])] for f in doc["oldest_exposures"]]))
    parts.append("<h2>Repositories</h2>")
    parts.append(_table(["repository", "status", "commits", "findings", "next step"], [
        [escape(r["name"]),
         f"<span class=\"error\">error: {escape(r['error'])}</span>" if r.get("error") else escape(_RUNS.get(r.get("last_run") or "", "scanned")),
         str(r.get("commits", 0)), str(len(r["findings"])), _code(r["migrate_command"])]
        for r in doc["repositories"]]))
    for repo in doc["repositories"]:
        if repo["findings"]:
            parts.append(_findings(repo))
    parts.append("</body></html>\n")
    return "".join(parts)


def _cards(totals: Mapping[str, Any]) -> str:
    labels = {"repositories": "repositories", "findings": "findings", "distinct_secrets": "distinct secrets",
              "repositories_with_findings": "repositories with findings", "failed": "failed",
              "commits_scanned": "commits scanned", "files_scanned": "files scanned", "skipped": "skipped"}
    cards = []
    for name, label in labels.items():
        if name in totals:
            bad = " bad" if name in ("findings", "failed") and totals[name] else ""
            cards.append(f"<div class=\"card{bad}\" id=\"total-{name}\"><b>{int(totals[name])}</b>{escape(label)}</div>")
    return "<div class=\"cards\">" + "".join(cards) + "</div>"


def _chart(title: str, counts: Mapping[str, int], colour: str, ident: str, width: int = 460) -> str:
    items = list(counts.items())[:20]
    if not items:
        return f"<div><h2>{escape(title)}</h2><p class=\"meta\">nothing found</p></div>"
    row, label_w = 22, 150
    height = row * len(items) + 8
    peak = max(v for _, v in items) or 1
    bars = []
    for i, (name, value) in enumerate(items):
        y = 4 + i * row
        length = int((width - label_w - 50) * value / peak) if value else 0
        # the label column is 144 px: about 20 characters; longer names keep their end (the
        # repository's own name), the full name is in the bar's tooltip
        shown = name if len(name) <= 20 else "…" + name[-19:]
        bars.append(
            f"<text x=\"{label_w - 6}\" y=\"{y + 15}\" text-anchor=\"end\">{escape(shown)}</text>"
            f"<rect x=\"{label_w}\" y=\"{y + 3}\" width=\"{length}\" height=\"{row - 6}\" fill=\"{colour}\"><title>{escape(name)}: {value}</title></rect>"
            f"<text x=\"{label_w + length + 4}\" y=\"{y + 15}\">{value}</text>")
    return (f"<div><h2>{escape(title)}</h2><svg class=\"chart\" id=\"{ident}\" role=\"img\" aria-label=\"{escape(title)}\" "
            f"width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\">{''.join(bars)}</svg></div>")


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _code(text: str) -> str:
    return f"<code>{escape(text)}</code>"


def _findings(repo: Mapping[str, Any]) -> str:
    rows = [[_code(f"{f['path']}:{f['line']}"), escape(f["rule"]), escape(f.get("key") or ""), _code(f["redacted"]),
             escape((f.get("commit") or "")[:12]), escape(f.get("author_date") or "")] for f in repo["findings"]]
    return (f"<details><summary>{escape(repo['name'])}: {len(repo['findings'])} findings</summary>"
            + _table(["where", "rule", "key", "secret", "commit", "date"], rows) + "</details>")
