"""Build the labelled accuracy corpus deterministically (seeded RNG, fake values only).

    python -m tests.corpus.generate DEST      # writes DEST/files/... and DEST/labels.json

``labels.json``: {"positives": [{"path", "line", "family", "kind"}], "negatives": N,
"negative_kinds": {...}}. ``line`` is where the secret VALUE starts (1-based). Everything not
labelled positive is a negative: any finding elsewhere is a false positive.
"""
from __future__ import annotations

import base64
import json
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

from tests.corpus.syntax import KINDS, RUNTIME_LOOKUPS, assignment, camel, kebab, pascal, snake, upper
from tests.corpus.values import Values

SEED = 20261128
PASSWORD_NAMES = [
    "db password", "postgres password", "mysql root password", "redis password", "smtp pass",
    "admin password", "rabbitmq default pass", "ldap bind password", "keystore password", "db pass",
    "mongo initdb root password", "elastic password", "mail password", "ftp pwd", "jwt secret",
    "session secret", "app secret", "client secret", "webhook secret", "cookie secret", "secret key",
    "django secret key", "nextauth secret", "master user password", "service account password",
]
TOKEN_NAMES = [
    "api token", "access token", "auth token", "slack bot token", "gitlab token", "npm token",
    "sentry auth token", "api key", "maps api key", "sendgrid api key", "stripe secret key",
    "encryption key", "signing key", "private api key", "master key", "license key", "refresh token",
    "bearer token", "datadog api key", "openai api key", "github token", "consumer secret", "app key",
]
# Keys that mention secrets but hold something else, with a realistic value maker.
NOT_SECRET_FIELDS = [
    ("password length", lambda v: str(v.rng.randint(8, 64))),
    ("password min length", lambda v: str(v.rng.randint(8, 16))),
    ("token url", lambda v: "https://auth.corp.test/oauth2/token"),
    ("token endpoint", lambda v: "https://login.corp.test/realms/app/protocol/openid-connect/token"),
    ("secret name", lambda v: v.rng.choice(["prod/db/credentials", "app-db-secret", "payments-api"])),
    ("auth type", lambda v: v.rng.choice(["oauth2", "basic", "bearer", "none"])),
    ("key file", lambda v: v.rng.choice(["/etc/ssl/private/server.key", "./certs/tls.key", "secrets/jwt.pem"])),
    ("password file", lambda v: "/run/secrets/db_password"),
    ("token expiry", lambda v: str(v.rng.choice([3600, 86400, 900]))),
    ("secret arn", lambda v: f"arn:aws:secretsmanager:eu-west-1:123456789012:secret:app/{v.hex(6)}"),
    ("kms key id", lambda v: f"arn:aws:kms:us-east-1:123456789012:key/{v.uuid()}"),
    ("api key id", lambda v: v.uuid()),
    ("access key id header", lambda v: "X-Access-Key-Id"),
    ("token type", lambda v: "Bearer"),
    ("secret ref", lambda v: "db-credentials"),
    ("password policy", lambda v: "strong"),
    ("auth enabled", lambda v: v.rng.choice(["true", "false"])),
    ("session timeout", lambda v: "30m"),
    ("cache key", lambda v: "user-profile-v2"),
    ("primary key", lambda v: "order_id"),
    ("max tokens", lambda v: str(v.rng.randint(256, 8192))),
    ("public key", lambda v: v.ssh_public()),
    ("request id", lambda v: v.uuid()),
    ("commit sha", lambda v: v.git_sha()),
    ("image digest", lambda v: "sha256:" + v.hex(64)),
    ("client id", lambda v: v.uuid()),
    ("tenant id", lambda v: v.uuid()),
    ("role arn", lambda v: "arn:aws:iam::123456789012:role/app-deployer"),
    ("app version", lambda v: v.version()),
    ("logo", lambda v: v.data_uri()),
    ("token version", lambda v: "v" + v.version()),
    ("password hint", lambda v: "your-first-pet"),
    ("checksum", lambda v: v.hex(64)),
    ("etag", lambda v: v.hex(32)),
]
LANGUAGE_EXT = {
    "python": "py", "javascript": "js", "typescript": "ts", "go": "go", "java": "java", "csharp": "cs",
    "ruby": "rb", "php": "php", "shell": "sh",
}
CONFIG_PATHS = {
    "dotenv": [".env", ".env.production", "deploy/.env.staging", "services/api/.env"],
    "yaml": ["config/application.yaml", "config/settings.yml", "app/config.yaml", "ansible/group_vars/all.yml"],
    "json": ["config/appsettings.json", "config/default.json", "settings.json", "src/config/prod.json"],
    "hcl": ["infra/main.tf", "infra/terraform.tfvars", "modules/db/variables.tf", "infra/prod.auto.tfvars"],
    "properties": ["src/main/resources/application.properties", "conf/app.properties", "gradle.properties"],
    "ini": ["config/app.ini", "setup.cfg", "conf/db.conf", "etc/my.cnf"],
    "toml": ["config/app.toml", "settings.toml", "conf/prod.toml"],
    "xml": ["web.config", "conf/settings.xml", "src/main/resources/applicationContext.xml", "App.config"],
    "dockerfile": ["Dockerfile", "docker/api.Dockerfile", "build/Dockerfile.prod"],
}


@dataclass
class Corpus:
    root: Path
    values: Values
    positives: list[dict[str, object]] = field(default_factory=list)
    negatives: dict[str, int] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)

    def path(self, candidate: str) -> str:
        """A unique path: a repeated name moves into another service's folder, as in a monorepo."""
        base, n = candidate, 1
        while candidate in self.used:
            n += 1
            candidate = f"services/svc{n}/{base}"
        self.used.add(candidate)
        return candidate

    def write(self, path: str, entries: list[object], kind: str) -> None:
        """``entries``: plain lines, ``Pos`` (a secret's value starts on that line) or ``Neg``."""
        path = self.path(path)
        lines: list[str] = []
        for entry in entries:
            if isinstance(entry, Pos):
                self.positives.append({"path": path, "line": len(lines) + 1, "family": entry.family, "kind": kind})
                lines.append(entry.text)
            elif isinstance(entry, Neg):
                self.negatives[entry.why] = self.negatives.get(entry.why, 0) + 1
                lines.append(entry.text)
            else:
                lines.append(str(entry))
        target = self.root / "files" / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("\n".join(lines) + "\n", encoding="utf-8")


@dataclass(frozen=True)
class Pos:
    text: str
    family: str


@dataclass(frozen=True)
class Neg:
    text: str
    why: str


def _secret_entry(c: Corpus, kind: str) -> Pos:
    rng, v = c.values.rng, c.values
    if rng.random() < 0.5:
        return Pos(assignment(kind, rng.choice(PASSWORD_NAMES), v.password(), rng), "password")
    return Pos(assignment(kind, rng.choice(TOKEN_NAMES), v.token(), rng), "token")


def _negative_entry(c: Corpus, kind: str) -> Neg:
    rng, v = c.values.rng, c.values
    roll = rng.random()
    name = rng.choice(PASSWORD_NAMES + TOKEN_NAMES)
    if roll < 0.3:
        return Neg(assignment(kind, name, v.placeholder(), rng), "placeholder")
    if roll < 0.55:
        if kind in RUNTIME_LOOKUPS and rng.random() < 0.6:
            return Neg(rng.choice(RUNTIME_LOOKUPS[kind])(name), "runtime lookup")
        return Neg(assignment(kind, name, v.reference(upper(name)), rng), "reference")
    field_name, make = rng.choice(NOT_SECRET_FIELDS)
    return Neg(assignment(kind, field_name, make(v), rng), f"not a secret: {field_name}")


def _flat_file(c: Corpus, kind: str, path: str, n_pos: int, n_neg: int) -> None:
    rng = c.values.rng
    body: list[object] = [_secret_entry(c, kind) for _ in range(n_pos)] + [_negative_entry(c, kind) for _ in range(n_neg)]
    rng.shuffle(body)
    head, tail = _wrap(kind, rng)
    c.write(path, [*head, *body, *tail], kind)


def _wrap(kind: str, rng: random.Random) -> tuple[list[str], list[str]]:
    if kind == "json":
        return ["{", '  "name": "orders-api",'], ['  "debug": false', "}"]
    if kind == "hcl":
        return ['resource "aws_db_instance" "main" {', '  engine = "postgres"'], ["}"]
    if kind == "xml":
        return ['<?xml version="1.0" encoding="utf-8"?>', "<configuration>"], ["</configuration>"]
    if kind == "yaml":
        return ["app:", "  name: orders"], []
    if kind == "ini":
        return ["[database]", "host = db.internal"], []
    if kind == "toml":
        return ["[database]", 'host = "db.internal"'], []
    if kind == "java":
        return ["package com.acme.billing;", "", "public class Settings {", "    void init() {"], ["    }", "}"]
    if kind == "csharp":
        return ["namespace Acme.Billing {", "    public class Settings {", "      void Init() {"], ["      }", "    }", "}"]
    if kind == "go":
        return ["package config", "", "func load() Config {"], ["\treturn cfg", "}"]
    if kind == "php":
        return ["<?php", ""], []
    if kind == "ruby":
        return ["Rails.application.configure do"], ["end"]
    if kind == "shell":
        return ["#!/usr/bin/env bash", "set -euo pipefail"], []
    if kind == "dockerfile":
        return ["FROM python:3.12-slim", "WORKDIR /app"], ['CMD ["python", "-m", "app"]']
    if kind in ("javascript", "typescript"):
        return ["import { createClient } from './client';", ""], ["export default config;"]
    if kind == "python":
        return ["import os", ""], []
    return [], []


def _path_for(c: Corpus, kind: str) -> str:
    rng = c.values.rng
    if kind in CONFIG_PATHS:
        return rng.choice(CONFIG_PATHS[kind])
    folder = rng.choice(["src", "app", "lib", "services/payments", "internal/config", "pkg/db"])
    stem = rng.choice(["settings", "config", "client", "db", "mailer", "auth", "storage", "bootstrap"])
    if kind == "java":
        stem = pascal(stem) + "Config"
    if kind == "csharp":
        stem = pascal(stem) + "Options"
    return f"{folder}/{stem}.{LANGUAGE_EXT[kind]}"


def build(dest: Path) -> dict[str, object]:
    rng = random.Random(SEED)
    c = Corpus(dest, Values(rng))
    for kind in KINDS:
        for _ in range(7):
            _flat_file(c, kind, _path_for(c, kind), rng.randint(0, 2), rng.randint(3, 6))
    from tests.corpus import structured

    structured.build_all(c, Pos, Neg)
    from tests.corpus import credfiles

    credfiles.build_all(c, Pos, Neg)
    labels = {
        "positives": c.positives,
        "negatives": sum(c.negatives.values()),
        "negative_kinds": dict(sorted(c.negatives.items())),
    }
    (dest / "labels.json").write_text(json.dumps(labels, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return labels


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    dest = Path(args[0] if args else "corpus-out")
    labels = build(dest)
    print(f"{len(labels['positives'])} positives, {labels['negatives']} labelled hard negatives -> {dest}")  # type: ignore[arg-type]
    return 0


__all__ = ["Corpus", "Neg", "Pos", "build", "base64", "camel", "kebab", "snake"]

if __name__ == "__main__":
    raise SystemExit(main())
