"""The human summary of a plan (names, keys, files, the masked diff)."""
from __future__ import annotations

from secretshift.migrate.plan_file import Plan


def plan_summary(plan: Plan, with_diff: bool) -> str:
    refs = sum(len(s.sources) for s in plan.secrets)
    lines = [f"plan: {len(plan.secrets)} secret(s), {refs} reference(s) in {len(plan.files)} file(s) "
             f"of {plan.root}"]
    left = [s for s in plan.left if s.kind != "test-path"]
    if left:
        lines.append(f"left in plaintext ({len(left)} site(s); apply will exit 3 until they are moved):")
        lines.extend(f"  {s.path}:{s.line} ({s.label}){' [copy the scan did not flag]' if s.kind == 'copy' else ''}: "
                     f"{s.reason}" for s in left)
    tests = [s for s in plan.left if s.kind == "test-path"]
    lines.extend(f"not migrated: {s.path}:{s.line} ({s.label}): {s.reason}" for s in tests)
    for secret in plan.secrets:
        keys = ", ".join(k.json_key for k in secret.keys)
        rotation = f"{secret.rotation_mode}, every {secret.rotation_days} days"
        kms = secret.kms_key_id or "aws/secretsmanager"
        lines.append(f"secret {secret.name}  keys: {keys}  rotation: {rotation}  kms: {kms}")
        for ref in secret.sources:
            label = f" ({ref.key})" if ref.key else ""
            lines.append(f"  {ref.path}:{ref.line}{label} -> {ref.json_key}")
    for entry in plan.files:
        status = (f"left untouched: {entry.refused}" if entry.refused or not entry.planned_sha256
                  else f"rewritten by {entry.rewriter}")
        lines.append(f"file {entry.path}: {status}")
        lines.extend(f"  note: {n}" for n in entry.notes)
    lines.extend(f"warning: {w}" for w in plan.warnings)
    if plan.requirements:
        lines.append(f"the rewritten code needs: {', '.join(plan.requirements)}")
    import json

    try:
        policies = ", ".join(sorted(json.loads(plan.iam_policy)))
    except (ValueError, TypeError):
        policies = plan.iam_policy_path
    lines.append(f"IAM policies (one per consumer): {policies}; rotation runbook: {plan.runbook_path}")
    if with_diff:
        lines.append("")
        lines.extend(entry.diff.rstrip("\n") for entry in plan.files if entry.diff)
    return "\n".join(lines) + "\n"
