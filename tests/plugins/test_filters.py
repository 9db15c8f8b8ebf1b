"""False-positive filters: each shape that must never be reported, and look-alikes that must."""
from __future__ import annotations

import pytest

from secretshift.config import Config
from secretshift.models import Blob
from secretshift.plugins import filters as f
from secretshift.scanner.build import build_engine

ENGINE = build_engine(Config())


def _found(path: str, text: str) -> list[str]:
    return [x.secret.reveal() for x in ENGINE.scan(Blob(path, text.encode()))]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("AKIAIOSFODNN7EXAMPLE", True),
        ("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", True),
        ("AKIAR5TQWZ3KD7NBX2LM", False),
    ],
    ids=["aws-doc-key-id", "aws-doc-secret", "random-key-id"],
)
def test_documentation_examples(value: str, expected: bool) -> None:
    assert f.is_documentation_example(value) is expected


@pytest.mark.parametrize(
    "path",
    ["web/package-lock.json", "yarn.lock", "pnpm-lock.yaml", "poetry.lock", "go.sum", "Cargo.lock",
     "Gemfile.lock", "composer.lock"],
)
def test_lock_files(path: str) -> None:
    assert f.is_lockfile(path)


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("package-lock.json", '    "integrity": "sha512-Qm9vZ3VzSGFzaEZvclRlc3RzT25seVF3ZXJ0eTEyMzQ1Njc4OTA="\n'),
        ("yarn.lock", '  integrity sha512-Qm9vZ3VzSGFzaEZvclRlc3RzT25seVF3ZXJ0eTEyMzQ1Njc4OTA=\n'),
        ("poetry.lock", '    {file = "secretstorage-3.3.3.tar.gz", hash = "sha256:2403533ef369eca6d2ba81718576c5e0f564d5cca1b58f73a8b23e7d4eeebd77"},\n'),
        ("go.sum", "github.com/acme/token v1.2.3 h1:Qm9vZ3VzSGFzaEZvclRlc3RzT25seVF3ZXI=\n"),
        ("Cargo.lock", 'name = "secrecy"\nchecksum = "9bd1c54ea06cfd2f6b63219704de0b9b4f72dcc2b8fdef820be6cd799780e91e"\n'),
        ("deploy.yaml", "commit_token_sha: 4f2a9c1be8d7f6a5b4c3d2e1f0a9b8c7d6e5f4a3\n"),
        ("ids.py", 'session_token_id = "5a0f3d9e-4b1c-4e2a-9f7d-2c8b6a1e0d3f"\n'),
        ("jwt.yaml", "public_key: ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7rT9kL2mQ8wXz deploy@ci\n"),
        ("jwt.yaml", "signing_key_pem: |\n  -----BEGIN PUBLIC KEY-----\n  MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu1SU1LfVLPHCozMxH2Mo\n  -----END PUBLIC KEY-----\n"),
        ("app.css", ".logo { background: url(data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==); }\n"),
        ("main.3f9a.min.js", 'var a={apiKey:"' + "Zx9" * 30 + '",token:t.token};' + "x" * 2000 + "\n"),
        ("iam.tf", 'secret_arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbC123"\n'),
        ("app.yaml", "token_version: 2.14.0\n"),
        ("values.yaml", 'password: "{{ .Values.global.password }}"\n'),
        ("app.env", "API_TOKEN=${API_TOKEN}\n"),
        ("stack.yaml", "  MasterUserPassword: '{{resolve:secretsmanager:prod/db:SecretString:password}}'\n"),
        ("settings.py", 'SECRET_KEY = os.environ.get("SECRET_KEY")\n'),
        ("config.js", "const apiKey = process.env.API_KEY;\n"),
        ("Config.java", '        String password = System.getenv("DB_PASSWORD");\n'),
        ("settings.xml", "<password>{COQLCE6DU6GtcS5P=}</password>\n"),
        ("README.md", "export API_KEY=<your-api-key>\n"),
        ("tests/test_login.py", 'password = "test1234"\n'),
        ("docs/app.md", "password = P@ssw0rd!\n"),
    ],
    ids=[
        "npm-integrity", "yarn-integrity", "poetry-hash", "go-sum", "cargo-checksum", "git-sha", "uuid",
        "ssh-public-key", "pem-public-key", "data-uri", "minified-bundle", "arn", "version", "helm-template",
        "env-reference", "cfn-dynamic-reference", "python-environ", "js-process-env", "java-getenv",
        "maven-encrypted", "docs-placeholder", "test-fixture", "leetspeak-placeholder",
    ],
)
def test_never_reported(path: str, text: str) -> None:
    assert _found(path, text) == []


@pytest.mark.parametrize(
    ("path", "text", "secret"),
    [
        ("app.yaml", "client_secret: 4f2a9c1be8d7f6a5b4c3d2e1f0a9b8c7d6e5f4a3\n", "4f2a9c1be8d7f6a5b4c3d2e1f0a9b8c7d6e5f4a3"),
        ("heroku.env", "HEROKU_API_PASSWORD=5a0f3d9e-4b1c-4e2a-9f7d-2c8b6a1e0d3f\n", "5a0f3d9e-4b1c-4e2a-9f7d-2c8b6a1e0d3f"),
        ("deploy.rb", "  :encryption_key => '/MMW7FgwN8hdZCxknseU7bLE4KQDktzS',\n", "/MMW7FgwN8hdZCxknseU7bLE4KQDktzS"),
        ("db.py", 'engine = create_engine("postgresql://app:Tq8wLm2Zx9@db.internal:5432/app")\n', "Tq8wLm2Zx9"),
    ],
    ids=["hex-under-secret-key", "uuid-under-password-key", "base64-starting-with-slash", "url-in-call"],
)
def test_look_alikes_still_reported(path: str, text: str, secret: str) -> None:
    assert secret in _found(path, text)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("changeme", True), ("<your-token>", True), ("xxxxxxxx", True), ("********", True),
     ("your-api-key", True), ("REPLACE_ME", True), ("Adm1n123!", True), ("Xk2#mP9vL4qr", False),
     ("hunter2-prod!", False)],
)
def test_placeholders(value: str, expected: bool) -> None:
    assert f.is_placeholder(value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("${DB_PASSWORD}", True), ("$DB_PASSWORD", True), ("{{ .Values.x }}", True), ("!Ref DbPassword", True),
     ("ssm:/prod/db", True), ("vault:secret/data/db#pw", True), ("arn:aws:secretsmanager:x", True),
     ("%(password)s", True), ("Xk2#mP9vL4qr", False), ("pa$$word99", False)],
)
def test_references(value: str, expected: bool) -> None:
    assert f.is_reference(value) is expected
