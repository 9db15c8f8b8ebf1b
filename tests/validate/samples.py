"""One realistic file per validated rule: the rule's own positive example, plus what a real file
next to such a secret holds (the account SID beside an auth token, the shop's domain, ...)."""
from __future__ import annotations

from pathlib import Path

from secretshift.models import Finding, Rule
from secretshift.scanner.rules import builtin_rules

# Context a real configuration holds next to the secret (made-up addresses and ids, no secrets).
CONTEXT = {
    "shopify-access-token": "SHOPIFY_STORE_URL=https://acme-store.myshopify.com",  # secretshift: allow
    "shopify-custom-app-token": "shop: acme-store.myshopify.com",
    "shopify-private-app-token": "SHOPIFY_DOMAIN=acme-store.myshopify.com",  # secretshift: allow
    "twilio-auth-token": "TWILIO_ACCOUNT_SID=AC0f3b9e2c41d8a7b6c5d4e3f2a1b0c9d8",  # secretshift: allow
    "atlassian-api-token": "JIRA_BASE_URL=https://acme.atlassian.net\nJIRA_EMAIL=dev@acme.test",
    "cloudflare-global-api-key": "CLOUDFLARE_EMAIL=ops@acme.test",
    "grafana-service-account-token": "GRAFANA_URL=https://acme.grafana.net",  # secretshift: allow
}
# The other half of a two-part credential, from that rule's own example.
COMPANION = {"twilio-api-secret": "twilio-api-key", "datadog-app-key": "datadog-api-key"}
# Checked elsewhere: AWS against moto's server, PostgreSQL against a real server.
ELSEWHERE = {"aws-access-key-id", "aws-secret-access-key", "postgres-url-password"}


def rules_by_id() -> dict[str, Rule]:
    return {rule.id: rule for rule in builtin_rules(examples=True)}


def write_samples(root: Path, rule_ids: list[str]) -> None:
    rules = rules_by_id()
    for rule_id in rule_ids:
        example = rules[rule_id].positives[0]
        lines = ["# service configuration", example.text, CONTEXT.get(rule_id, "")]
        if rule_id in COMPANION:
            lines.append(rules[COMPANION[rule_id]].positives[0].text)
        folder = root / rule_id
        folder.mkdir(parents=True)
        (folder / example.path).write_text("\n".join(lines) + "\n", encoding="utf-8")


def finding_of(findings: list[Finding], rule_id: str) -> Finding:
    mine = [f for f in findings if f.rule == rule_id and f.path.split("/")[-2] == rule_id]
    assert mine, f"the {rule_id} sample produced no {rule_id} finding"
    return mine[0]
