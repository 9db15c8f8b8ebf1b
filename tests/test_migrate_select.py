"""What a migration never moves (references, test fixtures) and which keys form a credential pair."""
from __future__ import annotations

import pytest

from secretshift.migrate.select import is_reference, is_test_path, pair_prefix


@pytest.mark.parametrize(("value", "key"), [
    pytest.param("${DB_PASSWORD}", "password", id="shell-interpolation"),
    pytest.param("${{ secrets.NPM_TOKEN }}", "NPM_TOKEN", id="actions-expression"),
    pytest.param("{{ .Values.redis.password }}", "password", id="helm-template"),
    pytest.param("$REDIS_PASSWORD", "password", id="dollar-variable"),
    pytest.param('user_dict["password"]', "password", id="subscript-expression"),
    pytest.param("os.getenv('DB_PASSWORD')", "password", id="call-expression"),
    pytest.param("self.settings.password", "password", id="attribute-expression"),
    pytest.param("db-creds", "passwordSecret", id="helm-secret-name"),
    pytest.param("airflow-db", "userSecret", id="helm-user-secret-name"),
    pytest.param("payments-tls", "auth.existingSecret", id="existing-secret"),
    pytest.param("<your-password>", "password", id="angle-placeholder"),
    pytest.param("arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbC123", "password", id="asm-arn"),
])
def test_references_are_never_migrated(value: str, key: str) -> None:
    assert is_reference(value, key)


@pytest.mark.parametrize(("value", "key"), [
    pytest.param("Xk7pQ2mZ9rT4", "password", id="password"),
    pytest.param("db-creds-9f8e7d", "client_secret", id="lowercase-secret-key-holds-a-value"),
    pytest.param("sk_live_abcdefghijklmnop", "apiKey", id="api-key"),
    pytest.param("hunter2-but-longer", "passwordSecret2", id="not-a-secret-name-key"),
])
def test_values_are_migrated(value: str, key: str) -> None:
    assert not is_reference(value, key)


@pytest.mark.parametrize(("path", "expected"), [
    ("tests/fixtures.py", True), ("app/tests/conftest.py", True), ("pkg/test_db.py", True),
    ("svc/handler_test.go", True), ("web/src/api.spec.ts", True), ("src/__tests__/x.js", True),
    ("src/test/java/com/x/DbTest.java", True), ("testdata/creds.env", True),
    ("orders/settings.py", False), ("src/contest.py", False), ("latest/config.yaml", False),
])
def test_test_paths(path: str, expected: bool) -> None:
    assert is_test_path(path) is expected


@pytest.mark.parametrize(("identifier", "secret", "prefix"), [
    ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "aws"),
    ("access_key", "secret_key", ""),
    ("GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET", "github"),
    ("DB_USER", "DB_PASSWORD", "db"),
    ("spring.datasource.username", "spring.datasource.password", ""),
])
def test_credential_pairs_share_a_prefix(identifier: str, secret: str, prefix: str) -> None:
    assert pair_prefix(identifier, secret_side=False) == prefix
    assert pair_prefix(secret, secret_side=True) == prefix
