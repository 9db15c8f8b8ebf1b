"""Corpus files for issue #14's kinds: credential files (by name and structure), command lines,
plain-text notes, prefixed provider tokens and the real-code shapes that are not credentials.

Values are generated from the seeded RNG; token shapes follow the providers' published formats.
"""
from __future__ import annotations

import base64
import json
import string
from typing import Any

from tests.fakes import aws_access_key_id, github_token

B62 = string.ascii_letters + string.digits

# (label, env name, token maker) - formats as the providers document them.
PROVIDER_TOKENS = [
    ("slack-user", "SLACK_USER_TOKEN", lambda v: f"xoxp-{v.chars(string.digits, 12)}-{v.chars(string.digits, 12)}-{v.chars(string.digits, 13)}-{v.hex(32)}"),
    ("sonarqube", "SONAR_TOKEN", lambda v: "squ_" + v.hex(40)),
    ("sourcegraph", "SRC_ACCESS_TOKEN", lambda v: "sgp_" + v.hex(16) + "_" + v.hex(40)),
    ("fly-io", "FLY_ACCESS_TOKEN", lambda v: "fo1_" + v.chars(B62 + "_-", 43)),
    ("openshift", "OPENSHIFT_TOKEN", lambda v: "sha256~" + v.chars(B62 + "_-", 43)),
    ("intra42", "INTRA_CLIENT_SECRET", lambda v: "s-s4t2ud-" + v.hex(64)),
    ("hubspot", "HUBSPOT_ACCESS_TOKEN", lambda v: f"pat-na1-{v.uuid()}"),
    ("grafana-cloud", "GRAFANA_CLOUD_TOKEN", lambda v: "glc_" + v.chars(B62, 32) + v.b64(24).rstrip("=").replace("+", "A").replace("/", "B")),
    ("vault", "VAULT_TOKEN", lambda v: "hvs." + v.chars(B62 + "_-", 90)),
    ("stripe-restricted", "STRIPE_RESTRICTED_KEY", lambda v: "rk_live_" + v.b62(99)),
    ("stripe-test", "STRIPE_SECRET_KEY", lambda v: "sk_test_" + v.b62(40)),
    ("snyk", "SNYK_TOKEN", lambda v: v.uuid()),
    ("tailscale", "TS_AUTHKEY", lambda v: f"tskey-auth-{v.b62(12)}-{v.b62(32)}"),
    ("pinecone", "PINECONE_API_KEY", lambda v: f"pcsk_{v.b62(6)}_{v.b62(64)}"),
    ("circleci", "CIRCLECI_TOKEN", lambda v: f"CCIPAT_{v.b62(22)}_{v.hex(40)}"),
    ("docker-swarm", "SWARM_TOKEN", lambda v: f"SWMTKN-1-{v.chars(string.ascii_lowercase + string.digits, 50)}-{v.chars(string.ascii_lowercase + string.digits, 25)}"),
    ("figma", "FIGMA_TOKEN", lambda v: "figd_" + v.chars(B62 + "_-", 40)),
    ("airtable", "AIRTABLE_API_KEY", lambda v: f"pat{v.b62(14)}.{v.hex(64)}"),
    ("posthog", "POSTHOG_PERSONAL_API_KEY", lambda v: "phx_" + v.b62(43)),
    ("buildkite", "BUILDKITE_API_TOKEN", lambda v: "bkua_" + v.hex(40)),
]


def _pw(v: Any) -> str:
    return v.b62(v.rng.randint(10, 16)) + v.rng.choice("#!%") + str(v.rng.randint(0, 9))


def provider_tokens(c: Any, Pos: Any, Neg: Any, i: int) -> None:
    v, rng = c.values, c.values.rng
    lines: list[object] = ["# service credentials", "APP_ENV=production"]
    for label, env, make in rng.sample(PROVIDER_TOKENS, 5):
        lines.append(Pos(f"{env}={make(v)}", f"provider:{label}"))
    lines.append(Neg(f"SONAR_TOKEN=squ_{'x' * 40}", "a provider prefix on a placeholder"))
    lines.append(Neg(f"REQUEST_ID={v.uuid()}", "a UUID in an id field"))
    c.write(rng.choice(["deploy/.env.ci", "ops/tokens.env", ".env.local"]), lines, "provider-token")


def _netrc(c: Any, Pos: Any, Neg: Any, v: Any) -> None:
    host = v.rng.choice(["api.heroku.com", "git.acme.io", "ftp.acme-corp.net"])
    c.write("home/deploy/.netrc", [f"machine {host}", "  login deploy@acme.io", Pos(f"  password {_pw(v)}", "netrc"),
                                  "machine localhost login guest password guest"], "netrc")


def _pgpass(c: Any, Pos: Any, Neg: Any, v: Any) -> None:
    c.write("home/deploy/.pgpass", ["# hostname:port:database:username:password",
                                   Pos(f"db.internal:5432:orders:app_rw:{_pw(v)}", "pgpass"),
                                   Pos(f"*:*:*:postgres:{_pw(v)}", "pgpass")], "pgpass")


def _htpasswd(c: Any, Pos: Any, Neg: Any, v: Any) -> None:
    salt = v.chars(B62, 8)
    c.write("web/conf/.htpasswd", [Pos(f"admin:$apr1${salt}${v.chars(B62 + './', 22)}", "htpasswd"),
                                   Pos(f"ops:{{SHA}}{v.b64(20)}", "htpasswd")], "htpasswd")
    c.write("backup/etc/shadow", [Pos(f"root:$6${salt}${v.chars(B62 + './', 86)}:19000:0:99999:7:::", "shadow"),
                                  Neg("daemon:*:19000:0:99999:7:::", "a locked account")], "shadow")


def _aws(c: Any, Pos: Any, Neg: Any, v: Any) -> None:
    secret = v.chars(B62 + "/+", 40)
    c.write("home/ci/.aws/credentials", ["[default]", Pos("aws_access_key_id = " + aws_access_key_id(v.rng.randint(0, 10**6)), "aws-credentials"),
                                         Pos(f"aws_secret_access_key = {secret}", "aws-credentials"),
                                         "region = eu-west-1"], "aws-credentials")
    c.write("home/ci/.s3cfg", ["[default]", Pos(f"secret_key = {v.chars(B62 + '/+', 40)}", "s3cfg"),
                               "host_base = s3.amazonaws.com", Neg("gpg_passphrase = ", "empty value")], "s3cfg")


def _ini_tools(c: Any, Pos: Any, Neg: Any, v: Any) -> None:
    c.write("home/dev/.pypirc", ["[distutils]", "index-servers = internal", "[internal]",
                                 "repository = https://pypi.acme.io/simple", "username = deployer",
                                 Pos(f"password = {_pw(v)}", "pypirc")], "pypirc")
    auth = base64.b64encode(f"deploy:{_pw(v)}".encode()).decode()
    c.write("home/dev/.npmrc", [Pos(f"//npm.acme.io/:_auth={auth}", "npmrc"), "always-auth=true",
                                Neg("//registry.npmjs.org/:_authToken=${NPM_TOKEN}", "a reference")], "npmrc")
    c.write("home/dev/.gem/credentials", ["---", Pos(f":rubygems_api_key: rubygems_{v.hex(48)}", "gem-credentials")],
            "gem-credentials")
    docker = json.dumps({"auths": {"registry.acme.io": {"auth": base64.b64encode(f"ci:{_pw(v)}".encode()).decode()}}})
    c.write("home/dev/.docker/config.json", [Pos(docker, "docker-config")], "docker-config")


def _gui_tools(c: Any, Pos: Any, Neg: Any, v: Any) -> None:
    encoded = base64.b64encode(_pw(v).encode()).decode()
    c.write("AppData/Roaming/FileZilla/sitemanager.xml", [
        '<?xml version="1.0" encoding="UTF-8"?>', "<FileZilla3>", "  <Servers>", "    <Server>",
        "      <Host>ftp.acme.io</Host>", "      <User>upload</User>",
        Pos(f'      <Pass encoding="base64">{encoded}</Pass>', "filezilla"), "    </Server>", "  </Servers>",
        "</FileZilla3>"], "filezilla")
    c.write("AppData/Roaming/WinSCP.ini", ["[Sessions\\deploy@web01]", "HostName=web01.acme.io", "UserName=deploy",
                                           Pos(f"Password={v.hex(50).upper()}", "winscp")], "winscp")
    c.write("project/sftp-config.json", ["{", '    "type": "sftp",', '    "host": "web01.acme.io",',
                                         '    "user": "deploy",', Pos(f'    "password": "{_pw(v)}",', "sftp-config"),
                                         '    "remote_path": "/var/www/"', "}"], "sftp-config")
    c.write(".dbeaver/data-sources.json", [
        '{"connections": {"pg-1": {"provider": "postgresql", "configuration": {',
        '  "host": "db", "database": "app", "url": "jdbc:postgresql://db:5432/app", "user": "app",',
        Pos(f'  "password": "{_pw(v)}", "save-password": true}}}}}}}}', "dbeaver")], "dbeaver")
    c.write(".3T/robo-3t/robo3t.json", [
        Pos(json.dumps({"connections": [{"credentials": [{"userName": "admin", "userPassword": _pw(v)}]}]}), "robomongo")],
        "robomongo")


def _app_configs(c: Any, Pos: Any, Neg: Any, v: Any) -> None:
    c.write("src/main/resources/application.properties", [
        "spring.datasource.driver-class-name=com.mysql.cj.jdbc.Driver",
        Pos(f"spring.datasource.url=jdbc:mysql://db.acme.io:3306/shop?user=shop&password={_pw(v)}", "jdbc"),
        Pos(f"server.ssl.key-store-password={_pw(v)}", "keystore"),
        Neg("server.ssl.key-store=classpath:keystore.p12", "a keystore path")], "jdbc")
    c.write("site/wp-config.php", ["<?php", "define( 'DB_NAME', 'wordpress' );", "define( 'DB_USER', 'wp' );",
                                   Pos(f"define( 'DB_PASSWORD', '{_pw(v)}' );", "wp-config"),
                                   Pos(f"define( 'AUTH_KEY', '{v.chars(B62 + '!@#%^&*()-=+', 64)}' );", "wp-config"),
                                   Neg("define( 'NONCE_KEY', 'put your unique phrase here' );", "wp sample")],
            "wp-config")
    c.write("rails/config/master.key", [Pos(v.hex(32), "rails-master-key")], "rails-master-key")
    c.write("laravel/.env", ["APP_NAME=Shop", "APP_ENV=production",
                             Pos(f"APP_KEY=base64:{v.b64(32)}", "laravel-app-key")], "laravel")
    c.write("jenkins_home/credentials.xml", [
        "<com.cloudbees.plugins.credentials.impl.UsernamePasswordCredentialsImpl>", "  <id>deploy</id>",
        Pos(f"  <password>{{AQAAABAAAAAQ{v.b64(33)}}}</password>", "jenkins"),
        "</com.cloudbees.plugins.credentials.impl.UsernamePasswordCredentialsImpl>"], "jenkins")
    pem = base64.b64encode(("-----BEGIN EC PRIVATE KEY-----\n" + v.b64(90) + "\n").encode()).decode()
    c.write("home/ops/.kube/config", ["apiVersion: v1", "kind: Config", "users:", "- name: admin", "  user:",
                                      Pos(f"    token: {v.b62(40)}", "kubeconfig"),
                                      Pos(f"    client-key-data: {pem}", "kubeconfig")], "kubeconfig")
    state = json.dumps({"type": "aws_db_instance", "attributes": {"username": "admin", "password": _pw(v)}})
    c.write("infra/terraform.tfstate", ['{', '  "version": 4,', '  "resources": [', Pos("    " + state, "tfstate"),
                                        "  ]", "}"], "tfstate")
    bcrypt = "$2y$10$" + v.chars(B62 + "./", 53)
    c.write("db/backup/users.sql", [
        "-- MySQL dump 10.13", Pos(f"INSERT INTO `users` VALUES (1,'admin','{bcrypt}','admin@acme.io');", "sql-dump"),
        Pos(f"INSERT INTO `users` VALUES (2,'bob','$1${v.b62(8)}${v.chars(B62 + './', 22)}','bob@acme.io');", "sql-dump")],
        "sql-dump")


def credential_files(c: Any, Pos: Any, Neg: Any, i: int) -> None:
    v = c.values
    for builder in (_netrc, _pgpass, _htpasswd, _aws, _ini_tools, _gui_tools, _app_configs):
        builder(c, Pos, Neg, v)


COMMANDS = [
    "curl -u admin:{p} https://api.acme.io/v1/deploy",
    "mysql -h db -u root -p{p} shop < dump.sql",
    "PGPASSWORD={p} psql -h db -U app orders",
    "redis-cli -h cache -a {p} ping",
    "sshpass -p '{p}' ssh deploy@web01",
    "docker login -u deploy -p {p} registry.acme.io",
]


def command_lines(c: Any, Pos: Any, Neg: Any, i: int) -> None:
    v, rng = c.values, c.values.rng
    lines: list[object] = ["#!/usr/bin/env bash", "set -euo pipefail"]
    for template in rng.sample(COMMANDS, 4):
        lines.append(Pos(template.format(p=_pw(v)), "command-line"))
    lines.append(Pos(f'curl -H "Authorization: Bearer {v.b62(40)}" https://api.acme.io/v1/jobs', "command-line"))
    lines.append(Pos(f"git clone https://deploy:glpat-{v.chars(B62 + '-_', 20)}@gitlab.acme.io/ops/infra.git", "command-line"))
    lines.append(Neg('mysql -h db -u root -p"$MYSQL_PASSWORD" shop', "a variable"))
    lines.append(Neg("curl -u \"$USER:$TOKEN\" https://api.acme.io", "variables"))
    c.write(f"scripts/deploy{i}.sh", lines, "command-line")
    c.write(f"scripts/setup{i}.ps1", [
        Pos(f'$pw = ConvertTo-SecureString "{_pw(v)}" -AsPlainText -Force', "powershell"),
        Pos(f'$env:DB_PASSWORD = "{_pw(v)}"', "powershell"),
        Neg('$env:DB_HOST = "db.internal"', "not a secret")], "powershell")


def notes(c: Any, Pos: Any, Neg: Any, i: int) -> None:
    v = c.values
    c.write(f"docs/ops-notes-{i}.txt", ["staging notes", Pos(f"prod db password: {_pw(v)}", "notes"),
                                        Pos(f"stripe: sk_live_{v.b62(30)}", "notes"),
                                        Neg("password: see the vault", "prose")], "notes")
    c.write(f"logs/deploy-{i}.log", ["2026-01-01T10:00:00Z deploy started",
                                     Pos(f"2026-01-01T10:00:01Z using token {github_token(v.rng.randint(0, 10**6))}", "log")], "log")


def real_code_negatives(c: Any, Pos: Any, Neg: Any, i: int) -> None:
    v = c.values
    c.write(f"ansible/roles/r{i}/tasks/main.yml", [
        "- name: storage", "  azure_rm_storageaccount:", Neg("    account_key: account.key", "file name in *_key"),
        "- name: snmp", "  snmp_user:", Neg(f"    auth_password: 0x{v.hex(32)}", "SNMPv3 localized key"),
        "    priv_protocol: 3des", "- name: dns", "  route53:",
        Neg(f"    ses_verification_token: {v.b64(32)}", "SES verification token"),
        Neg(f"    grant_token: AQpA{v.b64(60)}", "KMS grant token"),
        Neg('    headers: {Authorization: "Basic Y2xpZW50Og=="}', "Basic with an empty password"),
        Neg(f"    password: md5{v.hex(32)}", "PostgreSQL md5 hash"),
        Neg(f'    mysql_password: "*{v.hex(40).upper()}"', "MySQL native hash"),
        "- name: pure", "  purefa_host:", Pos(f"    api_token: {v.uuid()}", "uuid-token"),
    ], "ansible")


BUILDERS = ((provider_tokens, 8), (credential_files, 2), (command_lines, 3), (notes, 2), (real_code_negatives, 2))


def build_all(c: Any, Pos: Any, Neg: Any) -> None:
    for builder, count in BUILDERS:
        for i in range(count):
            builder(c, Pos, Neg, i)
