"""Every file kind in one repository: plan -> apply (moto server over HTTP) -> every file rewritten,
still parsing, no value left -> a second apply changes nothing. The real CLI in subprocesses."""
from __future__ import annotations

import configparser
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import boto3
import pytest

from tests.conftest import git, run_cli
from tests.fakes import github_token
from tests.rewriters.support import parses_yaml, tree_sitter_errors

FILES = {
    "k8s/app.yaml": """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: shop
data:
  LOG_LEVEL: info
---
apiVersion: v1
kind: Secret
metadata:
  name: shop-api
  namespace: shop
stringData:
  token: {k8s}
""",
    "charts/shop/values.yaml": "replicaCount: 1\ngithub:\n  existingSecret: \"\"\n  token: {helm}\n",
    "charts/shop/Chart.yaml": "apiVersion: v2\nname: shop\nversion: 0.1.0\n",
    "charts/shop/templates/secret.yaml": (
        "{{{{- if not .Values.github.existingSecret }}}}\napiVersion: v1\nkind: Secret\nmetadata:\n"
        "  name: {{{{ .Release.Name }}}}-github\nstringData:\n  token: {{{{ .Values.github.token | quote }}}}\n"
        "{{{{- end }}}}\n"),
    "infra/stack.yaml": """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Role: !GetAtt FnRole.Arn
      Environment:
        Variables:
          GITHUB_TOKEN: {cfn}
          STAGE: !Ref AWS::StackName
""",
    "infra/tf/main.tf": 'resource "github_actions_secret" "ci" {{\n  repository      = "shop"\n'
                        '  plaintext_value = "{tf}"\n}}\n',
    ".github/workflows/ci.yml": """\
name: ci
on: push
jobs:
  release:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: gh release create v1
        env:
          GH_TOKEN: {workflow}
""",
    "docker-compose.yml": "services:\n  web:\n    image: shop\n    environment:\n      GITHUB_TOKEN: {compose}\n",
    "ecs/taskdef.json": """\
{{
  "family": "shop",
  "containerDefinitions": [
    {{"name": "web", "image": "shop", "environment": [{{"name": "GITHUB_TOKEN", "value": "{ecs}"}}]}}
  ]
}}
""",
    "web/github.mjs": 'export const GITHUB_TOKEN = "{js}";\n',
    "svc/main.go": 'package main\n\nimport "fmt"\n\nvar githubToken = "{go}"\n\nfunc main() {{\n\tfmt.Println(len(githubToken))\n}}\n',
    "jvm/src/main/java/shop/Client.java": 'package shop;\n\npublic class Client {{\n'
                                          '    static final String TOKEN = "{java}";\n}}\n',
    "Dockerfile": "FROM alpine:3\nENV GITHUB_TOKEN={docker}\n",
    "jvm/src/main/resources/application.properties": "github.token={properties}\n",
}
PYPROJECT = """\
[tool.secretshift.migrate]
app = "shop"
env = "prod"
region = "us-east-1"

[tool.secretshift.migrate.github]
role_arn = "arn:aws:iam::123456789012:role/shop-ci"
"""


def _tree(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): p.read_text() for p in sorted(root.rglob("*"))
            if p.is_file() and ".git" not in p.parts}


def test_every_kind_is_rewritten_and_still_parses(git_repo: Path, asm: str, tmp_path: Path) -> None:
    root = git_repo
    values = {label: github_token(200 + n) for n, label in enumerate(
        ["k8s", "helm", "cfn", "tf", "workflow", "compose", "ecs", "js", "go", "java", "docker", "properties"])}
    for path, template in FILES.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(template.format(**values))
    (root / "pyproject.toml").write_text(PYPROJECT)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "sample")

    plan_file = tmp_path / "plan.json"
    planned = run_cli("migrate", "plan", "--out", str(plan_file), cwd=root)
    assert planned.returncode == 0, planned.stderr
    plan = json.loads(plan_file.read_text())
    refused = {f["path"]: f["refused"] for f in plan["files"] if f.get("refused")}
    assert refused == {}
    assert {f["path"] for f in plan["files"]} == {p for p in FILES if not p.startswith(("charts/shop/Chart.yaml",
                                                                                     "charts/shop/templates/"))}

    applied = run_cli("migrate", "apply", str(plan_file), "--endpoint-url", asm, "--yes", cwd=root)
    assert applied.returncode == 0, applied.stderr
    client = boto3.client("secretsmanager", endpoint_url=asm, region_name="us-east-1")
    stored = {s["Name"]: json.loads(client.get_secret_value(SecretId=s["Name"])["SecretString"])
              for s in client.list_secrets()["SecretList"]}
    assert sorted(v for secret in stored.values() for v in secret.values()) == sorted(values.values())

    tree = _tree(root)
    for text in tree.values():
        assert not any(value in text for value in values.values())
    for path in FILES:
        if not path.startswith(("charts/shop/Chart.yaml", "charts/shop/templates/")):
            assert tree[path] != FILES[path].format(**values), f"{path} was not rewritten"
    _check_parses(root, tree)
    assert "kind: ExternalSecret" in tree["k8s/app.yaml"] and "k8s/secretstore-shop.yaml" in tree
    assert "{{resolve:secretsmanager:" in tree["infra/stack.yaml"] and "!GetAtt FnRole.Arn" in tree["infra/stack.yaml"]
    assert any(p.startswith("infra/tf/secretshift_") for p in tree)
    assert "aws-actions/aws-secretsmanager-get-secrets" in tree[".github/workflows/ci.yml"]
    ecs = json.loads(tree["ecs/taskdef.json"])["containerDefinitions"][0]
    # The real ARN from apply (not the plan's placeholder), then the JSON key.
    assert re.fullmatch(r"arn:aws:secretsmanager:us-east-1:\d{12}:secret:repo/shop/prod/[\w/.-]+-\w{6}:\w+::",
                        ecs["secrets"][0]["valueFrom"])
    if os.environ.get("SECRETSHIFT_E2E_SHOW"):
        for path in sorted(tree):
            print(f"=== {path}\n{tree[path]}")

    again = run_cli("migrate", "apply", str(plan_file), "--endpoint-url", asm, "--yes", cwd=root)
    assert again.returncode == 0, again.stderr
    assert _tree(root) == tree
    assert run_cli("scan", ".", cwd=root).returncode == 0


def _check_parses(root: Path, tree: dict[str, str]) -> None:
    for path, text in tree.items():
        if "/templates/" in path:
            continue  # Helm templates are Go templates, not YAML (tests/test_migrate_samples.py renders them)
        if path.endswith((".yaml", ".yml")):
            parses_yaml(text) if "AWSTemplateFormatVersion" not in text else _cfn(text)
        elif path.endswith(".json"):
            json.loads(text)
        elif path.endswith(".properties"):
            configparser.RawConfigParser().read_string("[x]\n" + text)
        elif path.endswith(".go"):
            assert not tree_sitter_errors("go", text), path
    hcl2 = pytest.importorskip("hcl2")
    hcl2.loads("".join(t for p, t in tree.items() if p.startswith("infra/tf/")))
    node = shutil.which("node")
    if node:
        proc = subprocess.run([node, "--check", str(root / "web/github.mjs")], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr


def _cfn(text: str) -> None:
    from ruamel.yaml import YAML

    YAML().load(text)  # round-trip: accepts the intrinsic-function tags
