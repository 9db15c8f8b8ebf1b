"""Credential files and command lines, written the way people leave them in home folders and repos.

Each case is a small tree of real-looking files (values generated here); the assertions name the
rule, the key the migration needs, and where the value sits.
"""
from __future__ import annotations

import base64
import json
import random
import string
from pathlib import Path

import pytest

from secretshift.cli import main
from secretshift.config import Config
from secretshift.models import Blob, Finding
from secretshift.scanner.build import build_engine

ENGINE = build_engine(Config())


def _pw(seed: int, size: int = 14) -> str:
    rng = random.Random(f"credfile{seed}")
    pool = string.ascii_letters + string.digits
    core = "".join(rng.choice(pool) for _ in range(size - 2))
    return core[:4] + rng.choice("#!%") + core[4:] + rng.choice(string.digits)


def _hex(seed: int, size: int) -> str:
    rng = random.Random(f"hex{seed}")
    return "".join(rng.choice("0123456789abcdef") for _ in range(size))


def _scan(path: str, text: str) -> list[Finding]:
    return ENGINE.scan(Blob(path, text.encode()))


def _found(path: str, text: str, secret: str) -> Finding:
    findings = [f for f in _scan(path, text) if f.secret.reveal() == secret]
    assert findings, f"{path}: {secret[:3]}... not reported; got {[f.rule for f in _scan(path, text)]}"
    return findings[0]


def test_pgpass_fifth_field_with_escaped_colon() -> None:
    first, second = _pw(1), _pw(2)
    text = (
        "# hostname:port:database:username:password\n"
        f"db.internal:5432:orders:app_rw:{first}\n"
        f"*:*:*:postgres:{second[:5]}\\:{second[5:]}\n"
    )
    finding = _found("home/.pgpass", text, first)
    assert (finding.rule, finding.key, finding.line) == ("pgpass-password", "password", 2)
    assert _found("home/.pgpass", text, f"{second[:5]}:{second[5:]}").line == 3


def test_netrc_multi_line_and_one_line_entries() -> None:
    first, second = _pw(3), _pw(4)
    text = f"machine api.heroku.com\n  login deploy@acme.io\n  password {first}\nmachine ftp.acme.io login backup password {second}\n"
    assert _found(".netrc", text, first).key == "password"
    assert _found(".netrc", text, second).line == 4


@pytest.mark.parametrize("path", [".aws/credentials", "home/ci/.aws/config", "backup/.s3cfg"])
def test_extensionless_ini_credential_files(path: str) -> None:
    rng = random.Random(path)
    secret = "".join(rng.choice(string.ascii_letters + string.digits + "/+") for _ in range(40))
    key = "secret_key" if path.endswith(".s3cfg") else "aws_secret_access_key"
    text = f"[default]\nregion = eu-west-1\n{key} = {secret}\n"
    assert _found(path, text, secret).line == 3


def test_htpasswd_and_shadow_hashes_only_in_those_files() -> None:
    apr = "$apr1$Jv3v1bQ2$" + _hex(5, 22)
    text = f"admin:{apr}\nops:{{SHA}}{base64.b64encode(bytes.fromhex(_hex(6, 40))).decode()}\n"
    assert {f.rule for f in _scan("web/.htpasswd", text)} == {"password-hash-file"}
    assert len(_scan("web/.htpasswd", text)) == 2
    assert [f for f in _scan("docs/apache.md", text) if f.rule == "password-hash-file"] == []
    shadow = f"root:$6$Zq3rT9xW${_hex(7, 86)}:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n"
    (finding,) = _scan("etc/shadow", shadow)
    assert finding.confidence == "medium" and finding.line == 1


def test_sql_dump_hashes_crypt_medium_and_weak_forms_low() -> None:
    rng = random.Random(8)
    bcrypt = "$2y$10$" + "".join(rng.choice(string.ascii_letters + string.digits + "./") for _ in range(53))
    text = (
        f"INSERT INTO `users` VALUES (1,'admin','{bcrypt}','admin@acme.io');\n"
        f"INSERT INTO mysql.user VALUES ('%','repl','*{_hex(9, 40).upper()}');\n"
        f"CREATE ROLE app LOGIN PASSWORD 'md5{_hex(10, 32)}';\n"
    )
    found = {f.line: f.confidence for f in _scan("db/dump.sql", text)}
    assert found == {1: "medium", 2: "low", 3: "low"}
    assert [f for f in _scan("tests/fixtures.py", text) if f.rule == "sql-dump-password-hash"] == []


def test_rails_master_key_and_laravel_app_key() -> None:
    key = _hex(11, 32)
    (finding,) = _scan("config/master.key", key + "\n")
    assert (finding.rule, finding.secret.reveal()) == ("rails-master-key", key)
    assert _scan("config/cache.key", key + "\n") == []
    app_key = "base64:" + base64.b64encode(bytes.fromhex(_hex(12, 64))).decode()
    assert _found(".env", f"APP_ENV=production\nAPP_KEY={app_key}\n", app_key).rule == "laravel-app-key"


def test_filezilla_base64_password_is_decoded_at_its_position() -> None:
    secret = _pw(13)
    encoded = base64.b64encode(secret.encode()).decode()
    text = (
        '<?xml version="1.0"?>\n<FileZilla3>\n <Servers>\n  <Server>\n   <Host>ftp.acme.io</Host>\n'
        f'   <User>upload</User>\n   <Pass encoding="base64">{encoded}</Pass>\n  </Server>\n </Servers>\n</FileZilla3>\n'
    )
    finding = _found("AppData/Roaming/FileZilla/sitemanager.xml", text, secret)
    assert (finding.rule, finding.line) == ("filezilla-password", 7)


def test_json_and_xml_tool_configs() -> None:
    secret = _pw(14)
    sftp = json.dumps({"type": "sftp", "host": "web01", "user": "deploy", "password": secret}, indent=4)
    assert _found("sftp-config.json", sftp, secret).key == "password"
    robo = json.dumps({"connections": [{"credentials": [{"userName": "admin", "userPassword": secret}]}]})
    assert _found("robomongo.json", robo, secret).key == "userPassword"
    state = json.dumps({"resources": [{"instances": [{"attributes": {"username": "admin", "password": secret}}]}]})
    assert _found("infra/terraform.tfstate", state, secret).key == "password"
    winscp = f"[Sessions\\deploy@web01]\nHostName=web01\nPassword={_hex(15, 48).upper()}\n"
    assert _found("WinSCP.ini", winscp, _hex(15, 48).upper()).key == "Password"
    jenkins = f"<password>{{AQAAABAAAAAQ{base64.b64encode(bytes.fromhex(_hex(16, 48))).decode()}}}</password>\n"
    assert [f.rule for f in _scan("jenkins/credentials.xml", jenkins)] == ["jenkins-encrypted-secret"]


def test_kubeconfig_token_and_client_key_data() -> None:
    pem = "-----BEGIN EC PRIVATE KEY-----\n" + base64.b64encode(bytes.fromhex(_hex(17, 96))).decode() + "\n"
    key_data = base64.b64encode(pem.encode()).decode()
    token = _pw(18, 32)
    text = f"apiVersion: v1\nkind: Config\nusers:\n- name: admin\n  user:\n    token: {token}\n    client-key-data: {key_data}\n"
    assert _found(".kube/config", text, token).key == "token"
    assert _found(".kube/config", text, key_data).rule == "kubeconfig-client-key-data"


def test_jdbc_urls_and_wp_config() -> None:
    secret = _pw(19)
    assert _found("application.properties", f"spring.datasource.url=jdbc:mysql://db:3306/shop?user=shop&password={secret}\n", secret)
    assert _found("ds.xml", f'<property name="url" value="jdbc:oracle:thin:scott/{secret}@ora01:1521:ORCL"/>\n', secret)
    wp = f"<?php\ndefine( 'DB_PASSWORD', '{secret}' );\ndefine( 'AUTH_KEY', 'put your unique phrase here' );\n"
    assert [f.secret.reveal() for f in _scan("wp-config.php", wp)] == [secret]


@pytest.mark.parametrize(
    "template",
    [
        "curl -u admin:{s} https://api.acme.io/v1/deploy",
        "mysql -h db -u root -p{s} shop < dump.sql",
        "PGPASSWORD={s} psql -h db -U app orders",
        "redis-cli -h cache -a {s} ping",
        "sshpass -p '{s}' ssh deploy@web01",
        "docker login -u deploy -p {s} registry.acme.io",
        '$pw = ConvertTo-SecureString "{s}" -AsPlainText -Force',
        '$env:DB_PASSWORD = "{s}"',
    ],
)
def test_command_lines(template: str) -> None:
    secret = _pw(len(template))
    path = "setup.ps1" if "$" in template else "deploy.sh"
    _found(path, template.format(s=secret) + "\n", secret)


def test_password_in_plain_notes_is_reported_low(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    secret = _pw(20)
    (tmp_path / "ops-notes.txt").write_text(f"staging box\nprod db password: {secret}\nask Kim for the VPN\n")
    assert main(["scan", "--no-git", "--format", "json", str(tmp_path)]) == 1
    (finding,) = json.loads(capsys.readouterr().out)["findings"]
    assert (finding["line"], finding["confidence"]) == (2, "low")
    assert main(["scan", "--no-git", "--min-confidence", "medium", str(tmp_path)]) == 0
