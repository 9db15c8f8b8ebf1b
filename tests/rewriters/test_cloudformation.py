from __future__ import annotations

import json

import pytest

from secretshift.migrate.rewriters.base import RewriteRefused
from secretshift.migrate.rewriters.cloudformation import CloudFormationRewriter
from tests.rewriters.support import SETTINGS, ref_to, rewrite_twice

YAML_TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Stage:
    Type: String
    Default: prod
Resources:
  Database:
    Type: AWS::RDS::DBInstance
    Properties:
      MasterUsername: admin
      MasterUserPassword: 'pa55-w0rd-for-rds-xyz'   # rotate me
      DBName: !Ref Stage
  Api:
    Type: AWS::Lambda::Function
    Properties:
      Role: !GetAtt ApiRole.Arn
      Environment:
        Variables:
          DSN: !Sub "postgres://admin:pa55-w0rd-for-rds-xyz@${Database.Endpoint.Address}/shop"
          TOKEN: tok-1a2b3c4d5e6f7a8b
"""

YAML_EXPECTED = """\
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Stage:
    Type: String
    Default: prod
Resources:
  Database:
    Type: AWS::RDS::DBInstance
    Properties:
      MasterUsername: admin
      MasterUserPassword: '{{resolve:secretsmanager:shop/prod/db:SecretString:password}}'   # rotate me
      DBName: !Ref Stage
  Api:
    Type: AWS::Lambda::Function
    Properties:
      Role: !GetAtt ApiRole.Arn
      Environment:
        Variables:
          DSN: !Sub "postgres://admin:{{resolve:secretsmanager:shop/prod/db:SecretString:password}}@${Database.Endpoint.Address}/shop"
          TOKEN: "{{resolve:secretsmanager:shop/prod/api:SecretString:TOKEN}}"
"""

JSON_TEMPLATE = """\
{
  "Resources": {
    "Queue": {
      "Type": "AWS::AmazonMQ::Broker",
      "Properties": {"Users": [{"Username": "mq", "Password": "mq-pa55word-1234567"}]}
    }
  }
}
"""


def _yaml_refs(path: str = "infra/stack.yaml") -> list:
    return [
        ref_to(YAML_TEMPLATE, "pa55-w0rd-for-rds-xyz", "shop/prod/db", "password", path),
        ref_to(YAML_TEMPLATE, "pa55-w0rd-for-rds-xyz", "shop/prod/db", "password", path, occurrence=1),
        ref_to(YAML_TEMPLATE, "tok-1a2b3c4d5e6f7a8b", "shop/prod/api", "TOKEN", path),
    ]


def test_yaml_values_become_dynamic_references_and_tags_survive() -> None:
    result = rewrite_twice(CloudFormationRewriter(), "infra/stack.yaml", YAML_TEMPLATE, _yaml_refs())
    assert result.text == YAML_EXPECTED
    from ruamel.yaml import YAML

    loaded = YAML().load(result.text)  # round-trip loader: intrinsic tags must still parse
    assert loaded["Resources"]["Database"]["Properties"]["DBName"].tag.value == "!Ref"


def test_json_template() -> None:
    ref = ref_to(JSON_TEMPLATE, "mq-pa55word-1234567", "shop/prod/mq", "password", "infra/mq.json")
    result = rewrite_twice(CloudFormationRewriter(), "infra/mq.json", JSON_TEMPLATE, [ref])
    user = json.loads(result.text)["Resources"]["Queue"]["Properties"]["Users"][0]
    assert user == {"Username": "mq", "Password": "{{resolve:secretsmanager:shop/prod/mq:SecretString:password}}"}
    assert result.text == JSON_TEMPLATE.replace("mq-pa55word-1234567", user["Password"])


def test_refuses_a_parameter_default_used_other_than_by_ref() -> None:
    text = YAML_TEMPLATE.replace("Default: prod", "Default: pa55-param-secret-value").replace(
        "TOKEN: tok-1a2b3c4d5e6f7a8b", "TOKEN: !Sub \"${Stage}-x\"")
    ref = ref_to(text, "pa55-param-secret-value", "x", "k", "infra/stack.yaml")
    with pytest.raises(RewriteRefused, match="parameter Stage"):
        CloudFormationRewriter().rewrite("infra/stack.yaml", text, [ref], SETTINGS)


PARAMETER_TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  DBUser:
    Type: String
    Default: ledger
  DBPassword:
    Type: String
    NoEcho: true
    Default: "pa55-param-secret-value"

Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      MasterUsername: !Ref DBUser
      MasterUserPassword: !Ref DBPassword
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Environment:
        Variables:
          DB_PASSWORD: !Ref DBPassword
"""


def test_a_parameter_default_becomes_the_dynamic_reference_where_it_is_used() -> None:
    ref = ref_to(PARAMETER_TEMPLATE, "pa55-param-secret-value", "shop/prod/db", "password", "infra/db.yaml")
    result = rewrite_twice(CloudFormationRewriter(), "infra/db.yaml", PARAMETER_TEMPLATE, [ref])
    dynamic = '"{{resolve:secretsmanager:shop/prod/db:SecretString:password}}"'
    assert f"MasterUserPassword: {dynamic}" in result.text and f"DB_PASSWORD: {dynamic}" in result.text
    assert "DBPassword" not in result.text and "MasterUsername: !Ref DBUser" in result.text
    assert any("Lambda function's environment" in note for note in result.notes)


@pytest.mark.parametrize(("path", "text"), [
    pytest.param("k8s/app.yaml", "apiVersion: v1\nkind: Secret\n", id="kubernetes"),
    pytest.param("config.json", '{"Resources": "none"}', id="json-without-aws-types"),
    pytest.param("stack.py", YAML_TEMPLATE, id="not-a-template-file"),
])
def test_leaves_other_files_alone(path: str, text: str) -> None:
    assert not CloudFormationRewriter().applies_to(path, text)


def test_recognises_templates() -> None:
    assert CloudFormationRewriter().applies_to("infra/stack.yaml", YAML_TEMPLATE)
    assert CloudFormationRewriter().applies_to("infra/mq.json", JSON_TEMPLATE)
