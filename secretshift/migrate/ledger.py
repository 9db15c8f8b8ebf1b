"""The name ledger: which secret each migrated site went to, so a re-plan (after a partial
apply, or after a file was fixed by hand) names the same value the same way.

`apply` records, beside the IAM policy (`secretshift-names.json`), one entry per site it planned
— moved or left — keyed by the site's identity (file + variable/key path, never a line number,
never a value or a hash of one); `plan` gives a group holding such a site the recorded name.
Only what the rewritten files already show is recorded: paths, key names, secret names.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from secretshift.migrate.plan_file import Plan

LEDGER_NAME = "secretshift-names.json"
VERSION = 1


def path_for(iam_policy: str) -> str:
    folder = iam_policy.rsplit("/", 1)[0] if "/" in iam_policy else ""
    return f"{folder}/{LEDGER_NAME}" if folder else LEDGER_NAME


def site_key(key_path: str | None, key: str | None, rule: str) -> str:
    return key_path or key or f"rule:{rule}"


def read(root: Path, iam_policy: str) -> dict[tuple[str, str], str]:
    """(path, site key) -> secret name; empty when there is no ledger or it is unreadable."""
    target = root / path_for(iam_policy)
    try:
        data = json.loads(target.read_text("utf-8")) if target.is_file() and not target.is_symlink() else {}
    except (OSError, ValueError):
        return {}
    sites = data.get("sites", []) if isinstance(data, dict) else []
    return {(str(s["path"]), str(s["key"])): str(s["secret"]) for s in sites
            if isinstance(s, dict) and {"path", "key", "secret"} <= set(s)}


def reuse(known: Mapping[tuple[str, str], str], sites: Mapping[str, Sequence[tuple[str, str]]],
          names: Mapping[str, str]) -> dict[str, str]:
    """The planned names, with each group that holds a recorded site given the recorded name
    (the first of its sites in path order that the ledger knows)."""
    out = dict(names)
    if not known:
        return out
    for group_id, group_sites in sites.items():
        recorded = [known[s] for s in sorted(group_sites) if s in known]
        if recorded:
            out[group_id] = recorded[0]
    return out


def render(plan: Plan, existing: Mapping[tuple[str, str], str]) -> str:
    entries = dict(existing)
    for secret in plan.secrets:
        for ref in secret.sources:
            entries[(ref.path, site_key(ref.key_path, ref.key, ref.rule))] = secret.name
    for site in plan.left:
        if site.kind != "test-path" and "#" in site.label and site.site:
            entries[(site.path, site.site)] = site.label.split("#", 1)[0]
    return _dump(entries.items())


def _dump(entries: Iterable[tuple[tuple[str, str], str]]) -> str:
    sites = [{"path": p, "key": k, "secret": n} for (p, k), n in sorted(entries)]
    return json.dumps({"version": VERSION, "sites": sites}, indent=2) + "\n"
