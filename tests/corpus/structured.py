"""Whole-file corpus builders for structured kinds and the negative-only files."""
from __future__ import annotations

import base64
import json
from typing import Any

from tests.corpus.syntax import camel, kebab, pascal, snake, upper
from tests.corpus.values import Values

PASSWORDS = ["db password", "redis password", "admin password", "smtp password", "jwt secret", "client secret"]
TOKENS = ["api token", "api key", "access token", "webhook secret", "signing key", "auth token"]


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def k8s_secret(c: Any, Pos: Any, Neg: Any, i: int) -> None:
    v, rng = c.values, c.values.rng
    name = rng.choice(["db-credentials", "api-keys", "smtp", "payments", "oauth-client", "registry"])
    ns = rng.choice(["default", "shop", "payments", "platform", "monitoring"])
    lines: list[object] = ["apiVersion: v1", "kind: Secret", "metadata:", f"  name: {name}", f"  namespace: {ns}"]
    lines += ["  labels:", "    app.kubernetes.io/name: " + name.split("-")[0]]
    lines.append("type: Opaque")
    if rng.random() < 0.6:
        lines.append("data:")
        for key in rng.sample(["password", "api-key", "token", "client-secret", "DB_PASSWORD", "secret-key"], 2):
            lines.append(Pos(f"  {key}: {_b64(v.secret())}", "k8s-data"))
        if rng.random() < 0.5:
            lines.append(Neg(f"  placeholder: {_b64('changeme')}", "k8s data decoding to a placeholder"))
    if rng.random() < 0.6:
        lines.append("stringData:")
        for key in rng.sample(["password", "token", "api_key", "webhook-secret", "config.json"], 2):
            if key == "config.json":
                lines.append(Pos(f"  {key}: '{{\"apiKey\": \"{v.b62(28)}\"}}'", "k8s-stringdata"))
            else:
                lines.append(Pos(f"  {key}: {v.secret()}", "k8s-stringdata"))
        lines.append(Neg(f"  unset: \"{v.placeholder() or '<set-me>'}\"", "k8s stringData placeholder"))
    c.write(f"k8s/{ns}/{name}-secret.yaml", lines, "k8s-secret")


def helm_secret_template(c: Any, Pos: Any, Neg: Any, i: int) -> None:
    lines = [
        "apiVersion: v1", "kind: Secret", "metadata:", '  name: {{ include "app.fullname" . }}',
        "type: Opaque", "data:",
        Neg("  password: {{ .Values.db.password | b64enc | quote }}", "helm template"),
        Neg("  api-key: {{ required \"apiKey\" .Values.apiKey | b64enc }}", "helm template"),
        "stringData:",
        Neg("  token: {{ .Values.token | quote }}", "helm template"),
    ]
    c.write(f"charts/app{i}/templates/secret.yaml", lines, "helm")


def deployment(c: Any, Pos: Any, Neg: Any, i: int) -> None:
    v, rng = c.values, c.values.rng
    lines: list[object] = [
        "apiVersion: apps/v1", "kind: Deployment", "metadata:", f"  name: worker-{i}", "spec:", "  replicas: 2",
        "  template:", "    spec:", "      containers:", f"        - name: worker", f"          image: registry.corp.test/worker@sha256:{v.hex(64)}",
        "          env:", "            - name: LOG_LEVEL", "              value: info",
    ]
    for _ in range(rng.randint(1, 2)):
        name = upper(rng.choice(PASSWORDS + TOKENS))
        lines += [f"            - name: {name}", Pos(f"              value: \"{v.secret()}\"", "k8s-env")]
    name = upper(rng.choice(PASSWORDS))
    lines += [f"            - name: {name}_FROM_SECRET", "              valueFrom:", "                secretKeyRef:",
              "                  name: db-credentials", Neg("                  key: password", "secretKeyRef")]
    lines += ["            - name: REQUEST_TOKEN_TTL", Neg('              value: "3600"', "number under token name")]
    c.write(f"k8s/apps/worker-{i}.yaml", lines, "kubernetes")


def helm_values(c: Any, Pos: Any, Neg: Any, i: int) -> None:
    v, rng = c.values, c.values.rng
    lines: list[object] = ["replicaCount: 2", "image:", "  repository: corp/api", f"  tag: \"{v.version()}\"", "postgresql:", "  auth:"]
    if rng.random() < 0.7:
        lines.append(Pos(f"    password: \"{v.password()}\"", "helm"))
    else:
        lines.append(Neg('    password: ""', "empty helm value"))
    lines.append(Neg("    existingSecret: \"\"", "empty"))
    lines.append(Neg("    existingSecretPasswordKey: password", "name of a key"))
    lines += ["redis:", "  auth:", "    enabled: true"]
    if rng.random() < 0.6:
        lines.append(Pos(f"    password: {v.password()}", "helm"))
    lines += ["externalApi:", Pos(f"  apiKey: {v.token()}", "helm") if rng.random() < 0.7 else Neg("  apiKey: \"\"", "empty")]
    lines.append(Neg("  tokenUrl: https://id.corp.test/token", "url"))
    c.write(f"charts/service{i}/values.yaml" if i % 2 else f"deploy/helm/values-prod{i}.yaml", lines, "helm")


def compose(c: Any, Pos: Any, Neg: Any, i: int) -> None:
    v, rng = c.values, c.values.rng
    lines: list[object] = ["services:", "  db:", "    image: postgres:16", "    environment:"]
    if rng.random() < 0.5:
        lines.append(Pos(f"      POSTGRES_PASSWORD: {v.password()}", "compose"))
    else:
        lines.append(Pos(f"      - POSTGRES_PASSWORD={v.password()}", "compose"))
    lines.append(Neg("      - POSTGRES_USER=app", "username"))
    lines += ["  api:", "    build: .", "    environment:",
              Neg("      DATABASE_URL: postgres://app:${POSTGRES_PASSWORD}@db:5432/app", "url with reference"),
              Neg("      API_TOKEN: ${API_TOKEN:?set it}", "reference")]
    if rng.random() < 0.7:
        url, _ = v.db_url()
        lines.append(Pos(f"      CACHE_URL: {url}", "url"))
    lines += ["    secrets:", Neg("      - db_password", "docker secret name")]
    c.write(f"docker-compose.{'prod.' if i % 2 else ''}yml" if i < 2 else f"stack{i}/compose.yaml", lines, "compose")


def cloudformation(c: Any, Pos: Any, Neg: Any, i: int) -> None:
    v, rng = c.values, c.values.rng
    if i % 2 == 0:
        lines: list[object] = [
            "AWSTemplateFormatVersion: '2010-09-09'", "Parameters:", "  DBPassword:", "    Type: String", "    NoEcho: true",
            "Resources:", "  Database:", "    Type: AWS::RDS::DBInstance", "    Properties:", "      Engine: postgres",
            "      MasterUsername: admin",
        ]
        lines.append(Pos(f"      MasterUserPassword: {v.password()}", "cloudformation") if rng.random() < 0.6
                     else Neg("      MasterUserPassword: !Ref DBPassword", "!Ref"))
        lines += ["  Replica:", "    Type: AWS::RDS::DBInstance", "    Properties:",
                  Neg("      MasterUserPassword: '{{resolve:secretsmanager:prod/db:SecretString:password}}'", "dynamic reference"),
                  Neg("      KmsKeyId: !Sub 'arn:aws:kms:${AWS::Region}:${AWS::AccountId}:key/abc'", "!Sub"),
                  "  Hook:", "    Type: AWS::Lambda::Function", "    Properties:", "      Environment:", "        Variables:",
                  Pos(f"          WEBHOOK_SECRET: \"{v.token()}\"", "cloudformation"),
                  Neg("          API_KEY: !GetAtt ApiKey.Value", "!GetAtt")]
        c.write(f"cfn/database-{i}.yaml", lines, "cloudformation")
    else:
        password = v.password()
        doc = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"Db": {"Type": "AWS::RDS::DBCluster", "Properties": {
            "MasterUsername": "admin", "MasterUserPassword": "@@P1@@", "KmsKeyId": {"Ref": "Key"}}}}}
        text = json.dumps(doc, indent=2)
        lines = []
        for line in text.split("\n"):
            lines.append(Pos(line.replace("@@P1@@", password), "cloudformation") if "@@P1@@" in line else line)
        c.write(f"cfn/cluster-{i}.json", lines, "cloudformation")


def workflow(c: Any, Pos: Any, Neg: Any, i: int) -> None:
    v, rng = c.values, c.values.rng
    lines: list[object] = ["name: deploy", "on: [push]", "env:", Neg("  AWS_REGION: eu-west-1", "region"),
                           Neg("  NPM_TOKEN: ${{ secrets.NPM_TOKEN }}", "secrets context"), "jobs:", "  deploy:",
                           "    runs-on: ubuntu-latest", "    steps:", f"      - uses: actions/checkout@{v.git_sha()}",
                           "      - name: login", "        uses: docker/login-action@v3", "        with:",
                           "          username: ci-bot"]
    if rng.random() < 0.6:
        lines.append(Pos(f"          password: {v.password()}", "workflow"))
    else:
        lines.append(Neg("          password: ${{ secrets.REGISTRY_PASSWORD }}", "secrets context"))
    lines += ["      - name: notify", "        env:"]
    lines.append(Pos(f"          SLACK_TOKEN: {v.token()}", "workflow") if rng.random() < 0.6
                 else Neg("          SLACK_TOKEN: ${{ secrets.SLACK_TOKEN }}", "secrets context"))
    lines += ["        run: |", Neg('          curl -H "Authorization: Bearer $SLACK_TOKEN" https://slack.test/api', "shell variable")]
    c.write(f".github/workflows/deploy-{i}.yml", lines, "github-workflow")


def ecs_task(c: Any, Pos: Any, Neg: Any, i: int) -> None:
    v, rng = c.values, c.values.rng
    lines: list[object] = ["{", f'  "family": "api-{i}",', '  "containerDefinitions": [', "    {", '      "name": "api",',
                           f'      "image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:{v.version()}",', '      "environment": [']
    lines.append('        {"name": "LOG_LEVEL", "value": "info"},')
    name = upper(rng.choice(PASSWORDS + TOKENS))
    lines.append(Pos(f'        {{"name": "{name}", "value": "{v.secret()}"}},', "ecs"))
    name = upper(rng.choice(PASSWORDS + TOKENS))
    lines += ["        {", f'          "name": "{name}",', Pos(f'          "value": "{v.secret()}"', "ecs"), "        }"]
    lines += ["      ],", '      "secrets": [',
              Neg(f'        {{"name": "DB_PASSWORD", "valueFrom": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-{v.b62(6)}"}}', "valueFrom arn"),
              "      ]", "    }", "  ]", "}"]
    c.write(f"ecs/task-definition-{i}.json", lines, "ecs-task")


def docker_config(c: Any, Pos: Any, Neg: Any, i: int) -> None:
    v = c.values
    auth = _b64(f"ci-bot:{v.password()}")
    lines = ["{", '  "auths": {', '    "registry.corp.test": {', Pos(f'      "auth": "{auth}"', "docker-auth"), "    },",
             '    "ghcr.io": {', Neg('      "auth": ""', "empty"), "    }", "  },", Neg('  "credsStore": "desktop"', "helper name"), "}"]
    c.write(f"ci/docker{i}/config.json", lines, "docker-config")


def notebook(c: Any, Pos: Any, Neg: Any, i: int) -> None:
    v, rng = c.values, c.values.rng
    name = snake(rng.choice(TOKENS))
    cells = [
        '{"cells": [', ' {"cell_type": "code", "metadata": {}, "outputs": [], "source": [', '   "import requests\\n",',
        Pos(f'   "{name} = \\"{v.token()}\\"\\n",', "notebook"),
        Neg(f'   "token = os.environ[\\"API_TOKEN\\"]\\n",', "runtime lookup"),
        '   "resp = requests.get(url, headers={\\"Authorization\\": f\\"Bearer {token}\\"})"', "  ]},",
        ' {"cell_type": "code", "metadata": {}, "outputs": [{"data": {"image/png": "' + v.b64(300) + '"}}], "source": []}',
        '], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}',
    ]
    c.write(f"notebooks/analysis-{i}.ipynb", cells, "notebook")


def terraform(c: Any, Pos: Any, Neg: Any, i: int) -> None:
    v, rng = c.values, c.values.rng
    lines: list[object] = ['resource "aws_db_instance" "main" {', '  engine   = "postgres"', '  username = "app"']
    lines.append(Pos(f'  password = "{v.password()}"', "terraform") if rng.random() < 0.6
                 else Neg("  password = var.db_password", "variable"))
    lines += ["}", "", 'resource "aws_ecs_task_definition" "api" {', "  container_definitions = jsonencode([{",
              '    environment = [', '      { name = "LOG_LEVEL", value = "info" },']
    lines.append(Pos(f'      {{ name = "API_TOKEN", value = "{v.token()}" }},', "terraform"))
    lines += ["    ]", "  }])", "}", "", 'variable "db_password" {', "  type      = string", "  sensitive = true",
              Neg('  default   = ""', "empty default"), "}", 'provider "datadog" {',
              Neg("  api_key = data.aws_secretsmanager_secret_version.dd.secret_string", "data source"),
              Pos(f'  app_key = "{v.hex(40)}"', "terraform"), "}"]
    c.write(f"infra/stack{i}/main.tf", lines, "terraform")


def maven_settings(c: Any, Pos: Any, Neg: Any, i: int) -> None:
    v = c.values
    lines = ["<settings>", "  <servers>", "    <server>", "      <id>corp-releases</id>", "      <username>deployer</username>",
             Pos(f"      <password>{v.password()}</password>", "xml"), "    </server>", "    <server>", "      <id>mirror</id>",
             Neg("      <password>${env.MIRROR_PASSWORD}</password>", "maven property"), "    </server>",
             "    <server>", Neg("      <password>{COQLCE6DU6GtcS5P=}</password>", "maven-encrypted"), "    </server>",
             "  </servers>", "</settings>"]
    c.write(f"maven{i}/settings.xml", lines, "xml")


def connection_strings(c: Any, Pos: Any, Neg: Any, i: int) -> None:
    v = c.values
    lines = ['{', '  "ConnectionStrings": {',
             Pos(f'    "Default": "Server=sql.corp.test;Database=orders;User Id=app;Password={v.password().replace(";", "")};",', "connection-string"),
             Neg('    "Reporting": "Server=sql.corp.test;Database=rpt;Integrated Security=true;"', "no password"),
             Neg('    "Cache": "redis.corp.test:6379,password=${REDIS_PASSWORD}"', "reference"), "  },",
             '  "Logging": {"LogLevel": {"Default": "Information"}}', "}"]
    c.write(f"src/Orders.Api{i}/appsettings.Production.json", lines, "json")


def db_urls(c: Any, Pos: Any, Neg: Any, i: int) -> None:
    v, rng = c.values, c.values.rng
    url, _ = v.db_url()
    kind = rng.choice(["python", "dotenv", "yaml"])
    if kind == "python":
        lines: list[object] = ["import sqlalchemy", "", Pos(f'engine = sqlalchemy.create_engine("{url}")', "url"),
                               Neg('DOCS = "https://docs.corp.test/guide"', "url without credentials"),
                               Neg('fallback = "postgres://localhost:5432/dev"', "url without credentials")]
        path = f"app/db{i}.py"
    elif kind == "dotenv":
        lines = [Pos(f"DATABASE_URL={url}", "url"), Neg("BROKER_URL=amqp://guest:${RABBIT_PASSWORD}@mq:5672//", "reference")]
        path = f"services/svc{i}/.env"
    else:
        lines = ["database:", Pos(f"  url: {url}", "url"), Neg("  pool: 10", "number")]
        path = f"config/database{i}.yml"
    c.write(path, lines, kind)


def aws_keys(c: Any, Pos: Any, Neg: Any, i: int) -> None:
    v = c.values
    lines = ["[default]", Pos(f"aws_access_key_id = {v.aws_key_id()}", "aws"), Pos(f"aws_secret_access_key = {v.aws_secret()}", "aws"),
             "", "[docs-example]", Neg("aws_access_key_id = AKIAIOSFODNN7EXAMPLE", "AWS documentation example"),
             Neg("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "AWS documentation example")]
    c.write(f"home/user{i}/.aws/credentials", lines, "ini")


def private_keys(c: Any, Pos: Any, Neg: Any, i: int) -> None:
    v = c.values
    key = v.pem_private_key()
    if i % 2 == 0:
        c.write(f"deploy/keys/id_{i}.pem", [Pos(key[0], "private-key"), *key[1:]], "pem")
    else:
        doc = ['{', '  "type": "service_account",', f'  "project_id": "corp-{i}",', f'  "private_key_id": "{v.hex(40)}",',
               Pos('  "private_key": "' + "\\n".join(key) + '\\n",', "private-key"),
               f'  "client_email": "svc@corp-{i}.iam.gserviceaccount.test",', f'  "client_id": "{v.rng.randint(10**20, 10**21)}"', "}"]
        c.write(f"gcp/service-account-{i}.json", doc, "json")


# -- negative-only files --------------------------------------------------------------------------
def lock_files(c: Any, Pos: Any, Neg: Any, i: int) -> None:
    v = c.values
    pkgs = ["left-pad", "lodash", "react", "express", "token-bucket", "secret-handshake", "passport", "keygrip"]
    lines: list[object] = ["{", '  "name": "web",', '  "lockfileVersion": 3,', '  "packages": {']
    for p in pkgs:
        lines += [f'    "node_modules/{p}": {{', f'      "version": "{v.version()}",',
                  f'      "resolved": "https://registry.npmjs.test/{p}/-/{p}-1.0.0.tgz",',
                  Neg(f'      "integrity": "sha512-{v.b64(64)}"', "lock file integrity"), "    },"]
    lines += ["  }", "}"]
    c.write(f"web{i}/package-lock.json", lines, "lockfile")
    yarn: list[object] = []
    for p in pkgs:
        yarn += [f'"{p}@^1.0.0":', f'  version "{v.version()}"', f'  resolved "https://registry.yarnpkg.test/{p}/-/{p}.tgz#{v.hex(40)}"',
                 Neg(f"  integrity sha512-{v.b64(64)}", "yarn integrity"), ""]
    c.write(f"web{i}/yarn.lock", yarn, "lockfile")
    poetry: list[object] = []
    for p in ["cryptography", "pyjwt", "keyring", "passlib"]:
        poetry += ["[[package]]", f'name = "{p}"', f'version = "{v.version()}"', "files = [",
                   Neg(f'    {{file = "{p}-1.0.tar.gz", hash = "sha256:{v.hex(64)}"}},', "poetry hash"), "]", ""]
    c.write(f"py{i}/poetry.lock", poetry, "lockfile")
    gosum = [Neg(f"github.com/corp/{p} v{v.version()} h1:{v.b64(32)}", "go.sum hash") for p in ["token", "secrets", "auth"]]
    c.write(f"go{i}/go.sum", gosum, "lockfile")
    cargo: list[object] = []
    for p in ["ring", "secrecy", "jsonwebtoken"]:
        cargo += ["[[package]]", f'name = "{p}"', f'version = "{v.version()}"', 'source = "registry+https://github.com/rust-lang/crates.io-index"',
                  Neg(f'checksum = "{v.hex(64)}"', "Cargo.lock checksum"), ""]
    c.write(f"rs{i}/Cargo.lock", cargo, "lockfile")
    pnpm: list[object] = ["lockfileVersion: '9.0'", "packages:"]
    for p in pkgs[:4]:
        pnpm += [f"  {p}@1.0.0:", Neg(f"    resolution: {{integrity: sha512-{v.b64(64)}}}", "pnpm integrity")]
    c.write(f"web{i}/pnpm-lock.yaml", pnpm, "lockfile")


def public_material(c: Any, Pos: Any, Neg: Any, i: int) -> None:
    v = c.values
    cert = v.pem_public("CERTIFICATE")
    c.write(f"certs/ca-{i}.crt", [Neg(cert[0], "certificate"), *cert[1:]], "pem")
    pub = v.pem_public("PUBLIC KEY")
    c.write(f"keys/jwt-{i}.pub.pem", [Neg(pub[0], "public key"), *pub[1:]], "pem")
    c.write(f"ssh/authorized_keys_{i}", [Neg(v.ssh_public(), "ssh public key"), Neg(v.ssh_public(), "ssh public key")], "ssh")
    c.write(f"config/jwt-{i}.yaml", ["jwt:", Neg(f"  public_key: \"{v.ssh_public()}\"", "public key"), "  algorithm: RS256",
                                      Neg(f"  public_key_pem: |", "public key block"), *[f"    {x}" for x in pub]], "yaml")


def docs(c: Any, Pos: Any, Neg: Any, i: int) -> None:
    v = c.values
    lines = ["# Getting started", "", "Set the credentials before running:", "", "```bash",
             Neg("export API_KEY=<your-api-key>", "docs placeholder"), Neg("export DB_PASSWORD=changeme", "docs placeholder"),
             Neg("export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE", "AWS docs example"),
             Neg("export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "AWS docs example"), "```", "",
             "In `values.yaml`:", "", "```yaml", Neg("password: your-password-here", "docs placeholder"),
             Neg("token: ${TOKEN}", "docs reference"), "```", "",
             Neg("The `password_length` setting defaults to 16; the token URL is https://auth.corp.test/token.", "prose"),
             Neg(f"Release {v.version()} fixed commit {v.git_sha()}.", "git sha in prose")]
    c.write(f"docs/setup-{i}.md" if i else "README.md", lines, "docs")


def test_fixtures(c: Any, Pos: Any, Neg: Any, i: int) -> None:
    lines = ["import pytest", "", "def test_login(client):",
             Neg('    resp = client.post("/login", data={"username": "alice", "password": "test123"})', "test value"),
             Neg('    password = "password1"', "test value"), Neg('    token = "test-token"', "test value"),
             Neg('    api_key = "fake-key"', "test value"), Neg('    secret = "secret"', "test value"),
             Neg('    assert user.check_password("hunter2") is False', "call argument, not an assignment"),
             Neg('    mock_token = "mock_token_value"', "test value"), Neg('    auth = ("admin", "admin")', "tuple of defaults")]
    c.write(f"tests/test_auth_{i}.py", lines, "python")
    spec = ["describe('auth', () => {", Neg("  const password = 'testpass';", "test value"),
            Neg("  const apiKey = 'dummy';", "test value"), Neg("  const token = 'abc';", "short"), "});"]
    c.write(f"web/src/__tests__/auth{i}.spec.ts", spec, "typescript")


def assets(c: Any, Pos: Any, Neg: Any, i: int) -> None:
    v = c.values
    css = [".logo {", Neg(f"  background-image: url({v.data_uri()});", "data uri"), "}", "@font-face {",
           Neg(f"  src: url(data:font/woff2;base64,{v.b64(400)}) format('woff2');", "font data uri"), "}"]
    c.write(f"web/static/app{i}.css", css, "css")
    bundle = "var a=" + ",".join(f'k{j}="{v.b62(24)}"' for j in range(60)) + ";function t(e){return e.token||e.apiKey||e.password}"
    c.write(f"web/dist/main.{v.hex(8)}.min.js", [Neg(bundle, "minified bundle")], "javascript")
    html = ["<html><body>", Neg(f'<img alt="logo" src="{v.data_uri()}">', "data uri"),
            Neg('<input type="password" name="password" placeholder="Password">', "form field"), "</body></html>"]
    c.write(f"web/templates/login{i}.html", html, "html")


def misc_negatives(c: Any, Pos: Any, Neg: Any, i: int) -> None:
    v = c.values
    yaml = ["deploy:", Neg(f"  commit: {v.git_sha()}", "git sha"), Neg(f"  build_id: {v.uuid()}", "uuid"),
            Neg(f"  role_arn: arn:aws:iam::123456789012:role/deploy-{i}", "arn"), Neg(f"  version: {v.version()}", "version"),
            Neg(f"  secret_arn: arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/api-{v.b62(6)}", "arn"),
            Neg(f"  token_ttl: {v.rng.randint(60, 9999)}", "number"), Neg(f"  session_id: {v.uuid()}", "uuid"),
            Neg(f"  kms_key_id: {v.uuid()}", "uuid"), Neg(f"  digest: sha256:{v.hex(64)}", "digest"),
            Neg("  password_reset_url: https://app.corp.test/reset", "url")]
    c.write(f"deploy/manifest-{i}.yaml", yaml, "yaml")
    py = ["import hashlib", Neg(f'EXPECTED_SHA256 = "{v.hex(64)}"', "hash"), Neg(f'GIT_REVISION = "{v.git_sha()}"', "git sha"),
          Neg(f'REQUEST_ID = "{v.uuid()}"', "uuid"), Neg('PASSWORD_PROMPT = "Enter your password: "', "prompt text"),
          Neg('TOKEN_HEADER = "X-Auth-Token"', "header name"), Neg('SECRET_MANAGER_PREFIX = "prod/"', "prefix"),
          Neg(f'password_hash = "$2b$12${v.b62(53)}"', "bcrypt hash"), Neg('api_key_env = "ACME_API_KEY"', "env var name"),
          Neg('DEFAULT_TOKEN_TYPE = "bearer"', "token type"), Neg(f'icon = "{v.data_uri()}"', "data uri")]
    c.write(f"app/constants_{i}.py", py, "python")


__all__ = ["build_all", "camel", "kebab", "pascal", "Values"]


# -- more shapes: credentials handed to calls and commands, named blocks, dotfiles -----------------
def handed_over(c: Any, Pos: Any, Neg: Any, i: int) -> None:
    v, rng = c.values, c.values.rng
    pw = v.password().replace('"', "").replace("'", "").replace("\\", "")
    choice = i % 6
    if choice == 0:
        lines: list[object] = ["import java.sql.*;", "class Repo {", "  Connection open() throws SQLException {",
                               Pos(f'    return DriverManager.getConnection("jdbc:postgresql://db:5432/app", "app", "{pw}");', "call"),
                               "  }", Neg('  String user = System.getProperty("db.user");', "runtime lookup"), "}"]
        c.write(f"src/main/java/com/acme/Repo{i}.java", lines, "java")
    elif choice == 1:
        lines = ["import smtplib", "s = smtplib.SMTP('smtp.corp.test', 587)", Pos(f"s.login('alerts@corp.test', '{pw}')", "call"),
                 Neg("s.login(os.environ['SMTP_USER'], os.environ['SMTP_PASSWORD'])", "runtime lookup"),
                 Pos(f"resp = requests.get(url, auth=('svc', '{v.password().replace(chr(39), '')}'))", "call")]
        c.write(f"jobs/notify{i}.py", lines, "python")
    elif choice == 2:
        lines = ["#!/bin/sh", Pos(f"docker login registry.corp.test -u ci -p {pw.replace('$', 'S').replace('|', 'l').replace(';', 'c').replace('&', 'n')}", "command"),
                 Neg('docker login registry.corp.test -u ci -p "$REGISTRY_PASSWORD"', "shell variable"),
                 Pos(f"mysql -h db -u root -p{v.b62(14)} app < seed.sql", "command"),
                 Neg("mysql -h db -u root -p app", "prompts for the password"),
                 Pos(f"curl -u deploy:{v.b62(18)} https://ci.corp.test/job/build", "command")]
        c.write(f"scripts/release{i}.sh", lines, "shell")
    elif choice == 3:
        lines = ["using System.Net;", Pos(f'var cred = new NetworkCredential("svc-report", "{pw}");', "call"),
                 Neg('var cred2 = new NetworkCredential(user, Environment.GetEnvironmentVariable("PW"));', "runtime lookup")]
        c.write(f"src/Reports{i}/Mailer.cs", lines, "csharp")
    elif choice == 4:
        lines = ["<?php", Pos(f'$link = mysqli_connect("db.internal", "shop", "{pw}", "shop");', "call"),
                 Neg("$pdo = new PDO($dsn, $user, getenv('DB_PASSWORD'));", "runtime lookup")]
        c.write(f"public/db{i}.php", lines, "php")
    else:
        lines = ["const nodemailer = require('nodemailer');", "const t = nodemailer.createTransport({", "  host: 'smtp.corp.test',",
                 "  auth: {", "    user: 'alerts@corp.test',", Pos(f"    pass: '{pw}',", "js-object"), "  },", "});",
                 Neg("const t2 = nodemailer.createTransport({ auth: { user: u, pass: process.env.SMTP_PASS } });", "runtime lookup")]
        c.write(f"src/mailer{i}.js", lines, "javascript")


def named_blocks(c: Any, Pos: Any, Neg: Any, i: int) -> None:
    v = c.values
    if i % 3 == 0:
        lines: list[object] = ["AWSTemplateFormatVersion: '2010-09-09'", "Parameters:", "  DBPassword:", "    Type: String",
                               "    NoEcho: true", Pos(f"    Default: {v.password()}", "cfn-parameter-default"),
                               "  ApiKeyParam:", "    Type: String", Neg("    Default: ''", "empty default"),
                               "  DbPort:", "    Type: Number", Neg("    Default: 5432", "number")]
        c.write(f"cfn/params-{i}.yaml", lines, "cloudformation")
    elif i % 3 == 1:
        lines = ['variable "admin_password" {', "  type      = string", "  sensitive = true",
                 Pos(f'  default   = "{v.password()}"', "terraform-variable-default"), "}", "",
                 'variable "api_token" {', "  type    = string", Neg('  default = ""', "empty default"), "}",
                 'variable "token_ttl" {', Neg("  default = 3600", "number"), "}"]
        c.write(f"infra/vars{i}/variables.tf", lines, "terraform")
    else:
        lines = ["{", '  "Jwt": {', Pos(f'    "Key": "{v.b62(32)}",', "parent-named-key"), '    "Issuer": "https://id.corp.test"',
                 "  },", '  "Stripe": {', Neg('    "PublishableKey": "pk_live_' + v.b62(24) + '",', "publishable key"),
                 Pos(f'    "SecretKey": "sk_live_{v.b62(24)}"', "parent-named-key"), "  },",
                 '  "Cache": {', Neg('    "Key": "orders:v2"', "cache key name"), "  }", "}"]
        c.write(f"src/Api{i}/appsettings.json", lines, "json")


def dotfiles(c: Any, Pos: Any, Neg: Any, i: int) -> None:
    v = c.values
    kind = i % 5
    if kind == 0:
        c.write(f"svc{i}/.npmrc", ["registry=https://registry.npmjs.org/",
                                   Pos(f"//registry.npmjs.org/:_authToken=npm_{v.b62(36)}", "npmrc"),
                                   Neg("//npm.corp.test/:_authToken=${NPM_TOKEN}", "reference")], "ini")
    elif kind == 1:
        c.write(f"pkg{i}/.pypirc", ["[distutils]", "index-servers = pypi", "[pypi]", "username = __token__",
                                    Pos(f"password = pypi-{v.b62(60)}", "pypirc")], "ini")
    elif kind == 2:
        c.write(f"home/u{i}/.netrc", ["machine git.corp.test", "  login deploy", Pos(f"  password {v.b62(20)}", "netrc")], "netrc")
    elif kind == 3:
        c.write(f"conf/redis{i}.conf", ["bind 0.0.0.0", "port 6379", Pos(f"requirepass {v.b62(24)}", "redis-conf"),
                                        Neg("# requirepass foobared", "commented default"), "maxmemory 2gb"], "ini")
    else:
        c.write(f"tomcat{i}/conf/tomcat-users.xml", ["<tomcat-users>", '  <role rolename="manager-gui"/>',
                                                     Pos(f'  <user username="admin" password="{v.b62(16)}" roles="manager-gui"/>', "xml-attribute"),
                                                     Neg('  <user username="guest" password="" roles="viewer"/>', "empty"),
                                                     "</tomcat-users>"], "xml")


def framework_configs(c: Any, Pos: Any, Neg: Any, i: int) -> None:
    v = c.values
    kind = i % 4
    if kind == 0:
        lines: list[object] = ["DATABASES = {", "    'default': {", "        'ENGINE': 'django.db.backends.postgresql',",
                               "        'NAME': 'shop',", "        'USER': 'shop',", Pos(f"        'PASSWORD': '{v.password().replace(chr(39), '')}',", "django"),
                               "    }", "}", Neg("AUTH_PASSWORD_VALIDATORS = [{'NAME': 'django.contrib.auth.password_validation.MinimumLengthValidator'}]", "setting"),
                               Neg("PASSWORD_HASHERS = ['django.contrib.auth.hashers.Argon2PasswordHasher']", "setting")]
        c.write(f"shop{i}/settings/production.py", lines, "python")
    elif kind == 1:
        lines = ["spring:", "  datasource:", "    url: jdbc:postgresql://db:5432/app", "    username: app",
                 Pos(f"    password: {v.password().replace('#', '9').replace(': ', '-')}", "spring"),
                 "  mail:", Neg("    password: ${MAIL_PASSWORD:}", "spring placeholder"),
                 "jasypt:", Neg("  encrypted: ENC(G6N718UuyPE5bHyWKyuLQSm02auQPUtm)", "jasypt ciphertext"),
                 "app:", "  jwt:", Neg("    secret: ${JWT_SECRET}", "reference")]
        c.write(f"svc{i}/src/main/resources/application-prod.yml", lines, "yaml")
    elif kind == 2:
        lines = ["from pydantic_settings import BaseSettings", "", "class Settings(BaseSettings):",
                 Pos(f'    database_password: str = "{v.password().replace(chr(34), "")}"', "pydantic"),
                 Neg("    api_token: SecretStr | None = None", "no default"),
                 Pos(f'    webhook_secret: SecretStr = SecretStr("{v.b62(28)}")', "pydantic")]
        c.write(f"app{i}/settings.py", lines, "python")
    else:
        lines = ["db: {host: db.internal, user: app, " + f"password: {v.b62(14)}" + "}", "cache: {host: redis, port: 6379}",
                 Neg("auth: {enabled: true, type: oauth2}", "settings")]
        lines[0] = Pos(str(lines[0]), "yaml-flow")
        c.write(f"deploy/flow{i}.yaml", lines, "yaml")


def hard_negatives_more(c: Any, Pos: Any, Neg: Any, i: int) -> None:
    v = c.values
    c.write(f"web/src/i18n/{['en', 'de', 'fr', 'es'][i % 4]}{i}.json", ["{",
            Neg('  "password": "Password",', "translation"), Neg('  "forgot_password": "Forgot your password?",', "translation"),
            Neg('  "token_expired": "Your session token has expired",', "translation"),
            Neg('  "api_key_hint": "Find your API key in the dashboard"', "translation"), "}"], "json")
    c.write(f"api/schema{i}.json", ['{"type": "object", "properties": {',
            Neg('  "password": {"type": "string", "minLength": 12, "format": "password"},', "json schema"),
            Neg('  "apiKey": {"type": "string", "pattern": "^[A-Za-z0-9]{32}$"}', "json schema"), "}}"], "json")
    c.write(f"k8s/sealed/app{i}.yaml", ["apiVersion: bitnami.com/v1alpha1", "kind: SealedSecret", "metadata:", f"  name: app{i}",
            "spec:", "  encryptedData:", Neg(f"    password: Ag{v.b64(120)}", "sealed secret ciphertext"),
            Neg(f"    api-token: Ag{v.b64(120)}", "sealed secret ciphertext")], "yaml")
    crt = _b64("\n".join(v.pem_public("CERTIFICATE")))
    c.write(f"k8s/tls/ingress-tls{i}.yaml", ["apiVersion: v1", "kind: Secret", "metadata:", f"  name: ingress-tls{i}",
            "type: kubernetes.io/tls", "data:", Neg(f"  tls.crt: {crt}", "certificate in a TLS secret"),
            Pos(f"  tls.key: {_b64(chr(10).join(v.pem_private_key()))}", "k8s-tls-key")], "k8s-secret")
    c.write(f"db/seeds/users{i}.yml", ["- email: admin@corp.test",
            Neg(f"  password_digest: $2a$12${v.b62(53)}", "bcrypt"), "- email: ops@corp.test",
            Neg(f"  encrypted_password: $2b$10${v.b62(53)}", "bcrypt")], "yaml")
    c.write(f"src/validation{i}.java", [
            Neg('    private static final String PASSWORD_PATTERN = "^(?=.*[0-9])(?=.*[a-z])(?=.*[A-Z]).{8,}$";', "regex"),
            Neg('    @Value("${app.jwt.secret}")', "spring placeholder"), "    private String jwtSecret;"], "java")
    c.write(f"web/src/components/Login{i}.tsx", [
            Neg('<input type="password" name="password" placeholder="Enter password" autoComplete="current-password" />', "form"),
            Neg("const [password, setPassword] = useState('');", "react state")], "typescript")


BUILDERS = [
    (k8s_secret, 14), (helm_secret_template, 3), (deployment, 10), (helm_values, 10), (compose, 8), (cloudformation, 10),
    (workflow, 8), (ecs_task, 8), (docker_config, 6), (notebook, 8), (terraform, 8), (maven_settings, 6),
    (connection_strings, 6), (db_urls, 12), (aws_keys, 6), (private_keys, 8), (lock_files, 4), (public_material, 6),
    (docs, 6), (test_fixtures, 6), (assets, 4), (misc_negatives, 10), (handed_over, 12), (named_blocks, 9),
    (dotfiles, 10), (framework_configs, 12), (hard_negatives_more, 6),
]


def build_all(c: Any, Pos: Any, Neg: Any) -> None:
    for builder, count in BUILDERS:
        for i in range(count):
            builder(c, Pos, Neg, i)
