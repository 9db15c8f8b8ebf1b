"""Key paths, groups and file kinds reported with generic and Kubernetes findings; hostile input."""
from __future__ import annotations

import time

import pytest

from secretshift.config import Config
from secretshift.models import Blob, Finding
from secretshift.scanner.build import build_engine

ENGINE = build_engine(Config())


def _scan(path: str, text: str) -> list[Finding]:
    return ENGINE.scan(Blob(path, text.encode()))


def test_kubernetes_env_list_uses_the_name_as_key() -> None:
    text = (
        "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n"
        "        - name: app\n          env:\n            - name: LOG_LEVEL\n              value: info\n"
        "            - name: DB_PASSWORD\n              value: \"Zr7!kq2Lw9\"\n"
    )
    [finding] = _scan("k8s/app.yaml", text)
    assert (finding.key, finding.line) == ("DB_PASSWORD", 12)
    assert finding.context_value("key_path") == "spec.template.spec.containers[0].env[1].value"
    assert finding.context_value("kind") == "kubernetes"


def test_multi_document_secret_data_is_decoded_and_grouped() -> None:
    text = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  mode: fast\n---\n"
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db-creds\n  namespace: shop\ndata:\n"
        "  password: V3E5clQ0eVUyaU83\nstringData:\n  token: q7Lm2Wz9Kp4Xv8\n"
    )
    findings = {f.key: f for f in _scan("k8s/all.yaml", text)}
    assert set(findings) == {"password", "token"}
    data = findings["password"]
    assert data.secret.reveal() == "Wq9rT4yU2iO7" and data.line == 14
    assert dict(data.context) == {"kind": "k8s-secret", "key_path": "data.password", "group": "shop/db-creds",
                                  "encoding": "base64"}
    assert findings["token"].context_value("key_path") == "stringData.token"


def test_ecs_task_definition_environment() -> None:
    text = '{"containerDefinitions": [{"environment": [\n  {"name": "API_TOKEN", "value": "Tk9Lm2Qw8Rt4Yp6X3v"}\n]}]}\n'
    [finding] = _scan("task.json", text)
    assert finding.key == "API_TOKEN"
    assert finding.context_value("key_path") == "containerDefinitions[0].environment[0].value"
    assert finding.context_value("kind") == "ecs-task"


def test_cloudformation_and_ini_sections() -> None:
    cfn = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Db:\n    Properties:\n      MasterUserPassword: Cf9Lm2Qw8Rt4\n"
    [finding] = _scan("stack.yaml", cfn)
    assert finding.context_value("kind") == "cloudformation"
    assert finding.context_value("key_path") == "Resources.Db.Properties.MasterUserPassword"
    [ini] = _scan("app.ini", "[database]\npassword = In8Lm2Qw9Rt\n")
    assert ini.context_value("group") == "app.ini:database"


def test_block_scalar_value_starts_on_the_next_line() -> None:
    [finding] = _scan("values.yaml", "db:\n  password: |\n    Hv8Lm2Qw9Rt\n")
    assert finding.line == 3 and finding.secret.reveal() == "Hv8Lm2Qw9Rt"


@pytest.mark.parametrize(
    "text",
    [
        "password=" + "'" * 200000 + "\n",
        "x" * 3_000_000 + "password: x\n",
        ("password: " + "\\" * 5000 + '"') * 200 + "\n",
        "- " * 100000 + "password: " + "{" * 100000 + "\n",
        "".join(f"{' ' * i}key{i}:\n" for i in range(2000)) + "  " * 2000 + "password: Xk2mP9vL4qr\n",
    ],
    ids=["quotes", "long-line", "backslashes", "nesting", "deep-yaml"],
)
def test_hostile_input_stays_fast(text: str) -> None:
    started = time.perf_counter()
    _scan("hostile.yaml", text)
    assert time.perf_counter() - started < 5
