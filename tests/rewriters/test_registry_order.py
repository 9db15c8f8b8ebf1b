"""The explicit registry picks the specific rewriter for each file kind before the generic ones."""
from __future__ import annotations

import pytest

from secretshift.migrate.rewriters import registry, rewriter_for

CFN = 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n'
K8S = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n"
ECS = '{"family": "x", "containerDefinitions": []}'


@pytest.mark.parametrize(("path", "text", "expected"), [
    pytest.param("ecs/task.json", ECS, "ecs-task", id="ecs"),
    pytest.param("infra/stack.yaml", CFN, "cloudformation", id="cloudformation"),
    pytest.param("k8s/secret.yaml", K8S, "k8s-secret", id="k8s-secret"),
    pytest.param("k8s/secret.json", '{"apiVersion": "v1", "kind": "Secret"}', "k8s-secret", id="k8s-secret-json"),
    pytest.param("infra/main.tf.json", "{}", "terraform", id="terraform-json"),
    pytest.param(".github/workflows/ci.yml", "on: push\njobs: {}\n", "github-workflow", id="workflow"),
    pytest.param("docker-compose.yml", "services: {}\n", "compose", id="compose"),
    pytest.param("Dockerfile", "FROM alpine\n", "dockerfile", id="dockerfile"),
    pytest.param("infra/main.tf", "", "terraform", id="terraform"),
    pytest.param("src/app.ts", "", "javascript", id="typescript"),
    pytest.param("main.go", "package main\n", "go", id="go"),
    pytest.param("A.java", "class A {}\n", "java", id="java"),
    pytest.param("application.properties", "", "env-placeholder", id="properties"),
    pytest.param("charts/x/values.yaml", "a: 1\n", "structured-config", id="helm-values"),
    pytest.param("config/app.json", "{}", "structured-config", id="json-config"),
])
def test_each_kind_gets_its_rewriter(path: str, text: str, expected: str) -> None:
    rewriter = rewriter_for(path, text)
    assert rewriter is not None and rewriter.name == expected


def test_names_are_unique() -> None:
    names = [r.name for r in registry()]
    assert len(names) == len(set(names))


def test_unknown_files_have_no_rewriter() -> None:
    assert rewriter_for("README.md", "# hello\n") is None


def test_loading_the_registry_imports_no_parser() -> None:
    # The registry is reachable from the CLI; YAML/HCL/CST parsers load only when a rewrite runs.
    import subprocess
    import sys

    code = ("import sys; from secretshift.migrate.rewriters import registry; registry(); "
            "print(sorted(m for m in ('ruamel', 'ruamel.yaml', 'libcst', 'hcl2', 'boto3') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
