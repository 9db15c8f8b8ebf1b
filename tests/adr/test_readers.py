"""Readers on the odd but common shapes teams write."""
from __future__ import annotations

from pathlib import Path

import pytest

from secretshift.adr.engine import check_paths
from secretshift.adr.hcl import parse_terraform
from secretshift.adr.located import Expr, LDict, load_documents
from secretshift.adr.settings import AdrSettings


def _checks(tmp_path: Path, name: str, text: str) -> list[tuple[int, str]]:
    (tmp_path / name).write_text(text)
    result = check_paths([str(tmp_path / name)], AdrSettings())
    return sorted((v.line, v.check) for v in result.violations)


def test_cloudformation_short_and_long_intrinsics_read_alike() -> None:
    [short] = load_documents("A: !GetAtt Role.Arn\nB: !Sub ['${X}', {X: !Ref Y}]\nC: !If [Cond, !Ref A, !Ref 'AWS::NoValue']\n")
    assert short["A"] == {"Fn::GetAtt": ["Role", "Arn"]}
    assert short["B"] == {"Fn::Sub": ["${X}", {"X": {"Ref": "Y"}}]}
    assert short["C"]["Fn::If"][1] == {"Ref": "A"}
    [long] = load_documents('{\n\t"A": {"Fn::GetAtt": ["Role", "Arn"]}\n}\n', is_json=True)
    assert long["A"] == short["A"] and long.line_of("A") == 2


def test_yaml_anchors_merge_keys_and_alias_bombs() -> None:
    [document] = load_documents("base: &b {Type: String}\nDbPassword:\n  <<: *b\n  MinLength: 8\n")
    assert document["DbPassword"] == {"Type": "String", "MinLength": 8}
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(12))
    [document] = load_documents(bomb)  # shared, not expanded: returns at once
    assert isinstance(document, LDict)


def test_multi_document_helm_output_keeps_lines(tmp_path: Path) -> None:
    rendered = ("---\n# Source: app/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"
                "data: {password_policy: strict}\n---\n# Source: app/templates/secret.yaml\napiVersion: v1\n"
                "kind: Secret\nmetadata: {name: s}\nstringData:\n  token: abc\n")
    assert _checks(tmp_path, "out.yaml", rendered) == [(12, "k8s-secret-literal")]


def test_unrendered_helm_templates_are_left_to_helm(tmp_path: Path) -> None:
    template = 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ include "app.fullname" . }}\ndata:\n  password: {{ .Values.password | b64enc }}\n'
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "secret.yaml").write_text(template)
    result = check_paths([str(tmp_path)], AdrSettings())
    assert result.violations == () and result.skipped == ()


def test_kustomize_namespace_reaches_the_overlay_secret(tmp_path: Path) -> None:
    for env in ("eu", "us"):
        folder = tmp_path / "overlays" / env
        folder.mkdir(parents=True)
        (folder / "kustomization.yaml").write_text("namespace: shop\nresources: [secret.yaml]\n")
        (folder / "secret.yaml").write_text("apiVersion: v1\nkind: Secret\nmetadata: {name: db}\ndata: {password: cHc=}\n")
    result = check_paths([str(tmp_path)], AdrSettings())
    assert sorted(v.check for v in result.violations) == ["k8s-secret-literal"] * 2 + ["k8s-secret-multi-cluster"] * 2


def test_same_secret_name_in_two_namespaces_is_not_multi_cluster(tmp_path: Path) -> None:
    for namespace in ("a", "b"):
        (tmp_path / f"{namespace}.yaml").write_text(
            f"apiVersion: v1\nkind: Secret\nmetadata: {{name: db, namespace: {namespace}}}\ndata: {{password: cHc=}}\n")
    result = check_paths([str(tmp_path)], AdrSettings())
    assert sorted(v.check for v in result.violations) == ["k8s-secret-literal"] * 2


def test_terraform_expressions() -> None:
    [block] = parse_terraform('resource "aws_iam_policy" "p" {\n  for_each = toset(["a"])\n  policy = <<-EOT\n'
                              '    {"Statement": []}\n  EOT\n  name = "${each.key}-x"\n'
                              '  dynamic "tag" {\n    for_each = var.tags\n    content { key = tag.key }\n  }\n}\n')
    assert block.get("policy") == '{"Statement": []}\n'
    name = block.get("name")
    assert isinstance(name, Expr) and name.refs == ("each.key",) and name.template == "${each.key}-x"
    assert [b.type for b in block.blocks] == ["dynamic"]


def test_eksctl_and_policy_and_task_definition_files(tmp_path: Path) -> None:
    assert _checks(tmp_path, "cluster.yaml", "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata: {name: x}\n") \
        == [(1, "eks-secrets-encryption")]
    assert _checks(tmp_path, "p.json", '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", '
                   '"Action": "secretsmanager:Get*", "Resource": "*"}}') == [(1, "iam-secret-read-wildcard-resource")]
    assert _checks(tmp_path, "td.json", '{"family": "x", "containerDefinitions": [{"name": "x", "environment": '
                   '[\n{"name": "GITHUB_TOKEN", "value": "ghs_notARealTokenButLongEnough"}]}]}') == [(2, "ecs-env-literal-secret")]


@pytest.mark.parametrize("text", ["\x00\x01binary", "key: [unclosed", "{\"a\": "])
def test_other_yaml_and_json_are_ignored_or_skipped_never_fatal(tmp_path: Path, text: str) -> None:
    (tmp_path / "x.yaml").write_text(text)
    (tmp_path / "y.json").write_text(text)
    result = check_paths([str(tmp_path)], AdrSettings())
    assert result.violations == ()
    assert [s.path.rsplit("/", 1)[1] for s in result.skipped] == ["y.json"]


def test_dynamic_encryption_config_is_judged_where_its_input_is_set(tmp_path: Path) -> None:
    module = ('variable "encryption_config" {\n  type = any\n  default = {}\n}\n'
              'resource "aws_eks_cluster" "this" {\n  name = "x"\n  role_arn = "arn:aws:iam::1:role/x"\n'
              '  vpc_config {\n    subnet_ids = []\n  }\n  dynamic "encryption_config" {\n'
              '    for_each = var.encryption_config != null ? [var.encryption_config] : []\n'
              '    content {\n      resources = encryption_config.value.resources\n    }\n  }\n}\n')
    assert _checks(tmp_path, "main.tf", module) == []


@pytest.mark.parametrize(("name", "kind", "flagged"), [
    ("SSHKey", "String", False),           # an EC2 key pair's name
    ("FunctionKey", "String", False),      # the S3 key of a Lambda zip
    ("EBSKMSKey", "String", False),
    ("KeyName", "AWS::EC2::KeyPair::KeyName", False),
    ("DBPassword", "String", True),
    ("GitHubOAuthToken", "String", True),
    ("credit_specification", "String", False),
])
def test_cloudformation_parameter_names(tmp_path: Path, name: str, kind: str, flagged: bool) -> None:
    template = f"AWSTemplateFormatVersion: '2010-09-09'\nParameters:\n  {name}:\n    Type: {kind}\nResources: {{}}\n"
    assert bool(_checks(tmp_path, "t.yaml", template)) is flagged
