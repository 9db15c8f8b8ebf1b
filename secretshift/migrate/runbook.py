"""The manual-rotation runbook (`docs/secret-rotation.md`): one section per secret, replaced in
place on a re-run (between markers), so the file can be extended by later migrations and edited
by hand outside the markers."""
from __future__ import annotations

import re
from collections.abc import Sequence

from secretshift.migrate.plan_file import PlannedSecret

HEADER = """# Secret rotation runbook

Secrets that secretshift moved into AWS Secrets Manager without an automatic rotation function.
Each one must be rotated by hand within its lifetime; `secretshift rotation check` (run it on a
schedule in CI) fails when one is overdue.
"""
_BLOCK = re.compile(r"<!-- secretshift:begin (?P<name>\S+) -->\n.*?<!-- secretshift:end (?P=name) -->\n", re.S)


def section(secret: PlannedSecret) -> str:
    keys = ", ".join(f"`{k.json_key}`" for k in secret.keys)
    consumers = "\n".join(
        f"  - `{r.path}:{r.line}`" + (f" (`{r.key}`)" if r.key else "") + f" -> key `{r.json_key}`"
        for r in secret.sources
    )
    rules = ", ".join(sorted({rule for k in secret.keys for rule in k.rules}))
    return f"""<!-- secretshift:begin {secret.name} -->
## `{secret.name}`

- Lifetime: {secret.rotation_days} days (tag `rotation-period-days`), rotation mode `manual`
- Owner: {secret.owner or "unassigned (set `owner` in [tool.secretshift.migrate])"}
- Keys: {keys} (detected as: {rules})
- Consumed where:
{consumers}

Steps:
1. Issue a new credential at its provider for each key; keep the old one valid for now.
2. Store it: `aws secretsmanager put-secret-value --secret-id '{secret.name}' --secret-string file://new.json`
   (the whole JSON document, every key, new values in place).
3. Check every consumer above picks it up (the caching client refreshes within an hour; restart
   long-running workloads to be sure).
4. Revoke the old credential at the provider.
5. Note the date: `secretshift rotation check` measures the lifetime from the last change.
<!-- secretshift:end {secret.name} -->
"""


def runbook_text(existing: str | None, secrets: Sequence[PlannedSecret]) -> str:
    text = existing if existing else HEADER
    for secret in secrets:
        block = section(secret)
        found = [m for m in _BLOCK.finditer(text) if m.group("name") == secret.name]
        if found:
            match = found[0]
            text = text[: match.start()] + block + text[match.end():]
        else:
            text = text.rstrip("\n") + "\n\n" + block
    return text
