"""False alarms and misses seen on real code (ansible modules and playbooks, Helm charts), rebuilt
as the files people write: each case says what a reviewer decided about it."""
from __future__ import annotations

import base64
import random
import uuid

import pytest

from secretshift.config import Config
from secretshift.models import Blob
from secretshift.scanner.build import build_engine

ENGINE = build_engine(Config())


def _found(path: str, text: str) -> list[tuple[int, str]]:
    return [(f.line, f.secret.reveal()) for f in ENGINE.scan(Blob(path, text.encode()))]


def _hex(seed: int, size: int) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice("0123456789abcdef") for _ in range(size))


def _uuid(seed: int) -> str:
    return str(uuid.UUID(int=random.Random(seed).getrandbits(128)))


@pytest.mark.parametrize(
    ("why", "text"),
    [
        ("a file name in a *_key field", "    account_key: account.key\n    ssl_key: /etc/ssl/private/server.key\n"),
        ("an SNMPv3 localized key next to its protocol", f"    auth_password: 0x{_hex(1, 32)}\n    priv_protocol: 3des\n"),
        ("a device's encrypted form (pwd_type: 3des)", f"    password: {_hex(2, 40)}\n    pwd_type: 3des\n"),
        ("an SES/DNS verification token", f"    ses_verification_token: {base64.b64encode(bytes.fromhex(_hex(3, 64))).decode()}\n"),
        ("an AWS KMS grant token", f"    grant_token: AQpA{base64.b64encode(bytes.fromhex(_hex(4, 120))).decode()}\n"),
        ("Basic auth of `client:` with an empty password", '      Authorization: "Basic Y2xpZW50Og=="\n'),
        ("a PostgreSQL md5 password hash", f"    password: md5{_hex(5, 32)}\n"),
        ("a MySQL native password hash", f'    password: "*{_hex(6, 40).upper()}"\n'),
        ("a Go template on a commented-out Helm line", "  #       {{- range $key, $value := .Values.commonLabels }}\n"),
    ],
)
def test_not_a_credential(why: str, text: str) -> None:
    assert _found("roles/app/tasks/main.yml", "- name: task\n  module:\n" + text) == [], why


@pytest.mark.parametrize("key", ["api_token", "token", "fa_api_token", "consul_token", "vault_token"])
def test_uuid_shaped_tokens_in_token_fields_are_reported(key: str) -> None:
    value = _uuid(len(key))
    assert (3, value) in _found("playbooks/storage.yml", f"- name: x\n  purefa_host:\n    {key}: {value}\n")


def test_uuid_in_an_id_field_is_not() -> None:
    text = f"client_id: {_uuid(7)}\ntenant_id: {_uuid(8)}\nrequest_id: {_uuid(9)}\n"
    assert _found("config/app.yaml", text) == []


def test_unquoted_yaml_inside_a_python_docstring_is_read() -> None:
    token = _uuid(10)
    module = (
        "DOCUMENTATION = r'''\noptions:\n  api_token:\n    description: API token.\n'''\n"
        "EXAMPLES = r'''\n- name: create volume\n  purefa_volume:\n    name: foo\n"
        f"    api_token: {token}\n'''\n"
        "def main(password: str, token: Optional[str] = None) -> None:\n    api_key: ApiKey = load()\n"
    )
    assert _found("plugins/modules/purefa_volume.py", module) == [(10, token)]
