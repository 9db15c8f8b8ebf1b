"""Passwords handed to commands and credential calls, and secrets one encoding deep."""
from __future__ import annotations

import base64

import pytest

from secretshift.config import Config
from secretshift.models import Blob
from secretshift.scanner.build import build_engine

ENGINE = build_engine(Config())


def _secrets(path: str, text: str) -> list[str]:
    return [f.secret.reveal() for f in ENGINE.scan(Blob(path, text.encode()))]


@pytest.mark.parametrize(
    ("path", "text", "secret"),
    [
        ("deploy.sh", "docker login registry.corp -u ci -p Dk8Lm2Qw9Rt\n", "Dk8Lm2Qw9Rt"),
        ("seed.sh", "mysql -h db -uroot -pMy8Lm2Qw9Rt app < dump.sql\n", "My8Lm2Qw9Rt"),
        ("ssh.sh", "sshpass -p Ss8Lm2Qw9Rt ssh deploy@host\n", "Ss8Lm2Qw9Rt"),
        ("ci.yml", "run: curl -u admin:Cu8Lm2Qw9Rt https://ci.corp/job\n", "Cu8Lm2Qw9Rt"),
        ("Set.ps1", '$p = ConvertTo-SecureString "Cs9#wQ2xLz7m" -AsPlainText -Force\n', "Cs9#wQ2xLz7m"),
        ("Repo.java", 'DriverManager.getConnection("jdbc:mysql://db/app", "app", "Jd8Lm2Qw9Rt");\n', "Jd8Lm2Qw9Rt"),
        ("Mail.cs", 'var c = new NetworkCredential("svc", "Nc8Lm2Qw9Rt");\n', "Nc8Lm2Qw9Rt"),
        ("notify.py", 'server.login("alerts@corp.test", "Ml8Lm2Qw9Rt")\n', "Ml8Lm2Qw9Rt"),
        ("db.php", '$l = mysqli_connect("db", "shop", "Ph8Lm2Qw9Rt", "shop");\n', "Ph8Lm2Qw9Rt"),
    ],
    ids=["docker-login", "mysql-p", "sshpass", "curl-u", "securestring", "jdbc", "network-credential",
         "smtp-login", "mysqli"],
)
def test_reports(path: str, text: str, secret: str) -> None:
    assert secret in _secrets(path, text)


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("deploy.sh", 'docker login registry.corp -u ci -p "$REGISTRY_PASSWORD"\n'),
        ("seed.sh", "mysql -h db -u root -p app\n"),
        ("Repo.java", "DriverManager.getConnection(url, user, System.getenv(\"DB_PASSWORD\"));\n"),
        ("notify.py", "server.login(os.environ['SMTP_USER'], os.environ['SMTP_PASSWORD'])\n"),
    ],
    ids=["docker-login-variable", "mysql-prompt", "jdbc-runtime", "smtp-runtime"],
)
def test_leaves_alone(path: str, text: str) -> None:
    assert _secrets(path, text) == []


def test_secret_inside_base64_is_decoded_and_reported_on_the_encoded_run() -> None:
    encoded = base64.b64encode(b"DB_PASSWORD=Wq9rT4yU2iO7\n").decode()
    [finding] = ENGINE.scan(Blob("ci/vars.yaml", f"bootstrap: {encoded}\n".encode()))
    assert finding.rule == "encoded-secret" and finding.secret.reveal() == "Wq9rT4yU2iO7"
    assert finding.context_value("encoding") == "base64" and finding.column == len("bootstrap: ") + 1


def test_harmless_base64_is_left_alone() -> None:
    encoded = base64.b64encode(b"password_length=16\nsecret_name=prod/db\n").decode()
    assert _secrets("ci/vars.yaml", f"settings: {encoded}\n") == []
