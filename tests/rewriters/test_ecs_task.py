from __future__ import annotations

import json

import pytest

from secretshift.migrate.rewriters.base import RewriteRefused, RewriteSettings
from secretshift.migrate.rewriters.ecs_task import PLACEHOLDER_ACCOUNT, EcsTaskDefinitionRewriter
from tests.rewriters.support import SETTINGS, ref_to, rewrite_twice

PATH = "ecs/taskdef.json"
TASK = """\
{
    "family": "shop",
    "containerDefinitions": [
        {
            "name": "web",
            "image": "shop:1",
            "environment": [
                {"name": "LOG_LEVEL", "value": "info"},
                {"name": "DB_PASSWORD", "value": "ecs-db-pa55word-24680"}
            ]
        }
    ]
}
"""
ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/prod/web-AbCdEf"
EXPECTED = """\
{
    "family": "shop",
    "containerDefinitions": [
        {
            "name": "web",
            "image": "shop:1",
            "environment": [
                {
                    "name": "LOG_LEVEL",
                    "value": "info"
                }
            ],
            "secrets": [
                {
                    "name": "DB_PASSWORD",
                    "valueFrom": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/prod/web-AbCdEf:DB_PASSWORD::"
                }
            ]
        }
    ]
}
"""


def _ref(text: str = TASK) -> list:
    return [ref_to(text, "ecs-db-pa55word-24680", "shop/prod/web", "DB_PASSWORD", PATH)]


def test_environment_entry_becomes_a_secret_with_the_arn_at_apply() -> None:
    settings = RewriteSettings(region="eu-west-1", secret_arns={"shop/prod/web": ARN})
    result = rewrite_twice(EcsTaskDefinitionRewriter(), PATH, TASK, _ref(), settings)
    assert result.text == EXPECTED
    json.loads(result.text)


def test_plan_preview_uses_a_marked_placeholder_arn() -> None:
    result = EcsTaskDefinitionRewriter().rewrite(PATH, TASK, _ref(), SETTINGS)
    secret = json.loads(result.text)["containerDefinitions"][0]["secrets"][0]
    assert secret["valueFrom"] == f"arn:aws:secretsmanager:eu-west-1:{PLACEHOLDER_ACCOUNT}:secret:shop/prod/web:DB_PASSWORD::"
    assert any(PLACEHOLDER_ACCOUNT in note for note in result.notes)


def test_apply_without_that_arn_is_refused() -> None:
    settings = RewriteSettings(secret_arns={"other": ARN})
    with pytest.raises(RewriteRefused, match="known only at apply time"):
        EcsTaskDefinitionRewriter().rewrite(PATH, TASK, _ref(), settings)


def test_last_environment_entry_removes_the_list() -> None:
    text = TASK.replace('{"name": "LOG_LEVEL", "value": "info"},\n                ', "")
    settings = RewriteSettings(secret_arns={"shop/prod/web": ARN})
    container = json.loads(EcsTaskDefinitionRewriter().rewrite(PATH, text, _ref(text), settings).text)["containerDefinitions"][0]
    assert "environment" not in container and container["secrets"][0]["name"] == "DB_PASSWORD"


def test_leaves_other_json_alone() -> None:
    assert not EcsTaskDefinitionRewriter().applies_to("package.json", '{"name": "x"}')
    assert not EcsTaskDefinitionRewriter().applies_to("taskdef.yaml", '"containerDefinitions"')
    ref = ref_to(TASK, '"shop:1"', "x", "image", PATH)
    with pytest.raises(RewriteRefused, match="environment"):
        EcsTaskDefinitionRewriter().rewrite(PATH, TASK, [ref], SETTINGS)


def test_part_of_a_longer_value_is_refused() -> None:
    text = TASK.replace('"ecs-db-pa55word-24680"', '"postgres://u:ecs-db-pa55word-24680@db"')
    with pytest.raises(RewriteRefused, match="longer value"):
        EcsTaskDefinitionRewriter().rewrite(PATH, text, _ref(text), SETTINGS)
