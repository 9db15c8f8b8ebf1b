"""Sample 2: a Node/TypeScript payments service with a Helm chart and a multi-document
Kubernetes Secret file, shaped like a team's real repository.

The Stripe key is a module constant used across functions (a template literal in an async
function, an object property); the mailer is CommonJS with a synchronous `transport()`; the
TypeScript module reads a typed constant. The chart reads `existingSecret` + `secretKeyRef.key`,
has a key naming a Secret (`passwordSecret: db-creds`, a reference that must stay) and quotes
the Stripe key in values.yaml; the Secret file has `data` (base64), `stringData` and a PEM in a
block scalar.
"""
from __future__ import annotations

from pathlib import Path

from tests.samples.common import Sample, write_tree
from tests.samples.values import b64, password, private_key, stripe_secret_key, url_password

PAYMENTS = '''// Payments: talks to Stripe with the live key.
import {{ createHash }} from "node:crypto";

const STRIPE_SECRET_KEY = "{stripe}";

export async function charge(amountCents) {{
  const headers = {{ Authorization: `Bearer ${{STRIPE_SECRET_KEY}}` }};
  return {{ amountCents, headers }};
}}

export async function keyFingerprint() {{
  return createHash("sha256").update(STRIPE_SECRET_KEY).digest("hex").slice(0, 8);
}}

if (process.argv[1] && process.argv[1].endsWith("payments.mjs")) {{
  const result = await charge(100);
  console.log("STRIPE_SECRET_KEY", result.headers.Authorization.slice("Bearer ".length));
}}
'''

MAILER = '''"use strict";
// Outgoing mail through the company relay (CommonJS: loaded by the legacy worker).
const SMTP_PASSWORD = "{smtp}";

function transport() {{
  return {{ host: "smtp.internal", port: 587, auth: {{ user: "payments", pass: SMTP_PASSWORD }} }};
}}

module.exports = {{ transport }};
'''

DB = '''// Database settings for the ledger.
export interface DbConfig {{
  host: string;
  user: string;
  password: string;
}}

const DB_PASSWORD: string = "{db}";

export async function dbConfig(): Promise<DbConfig> {{
  return {{ host: "ledger-db.internal", user: "ledger", password: DB_PASSWORD }};
}}
'''

PACKAGE_JSON = '''{
  "name": "payments",
  "version": "1.4.0",
  "type": "module",
  "private": true,
  "scripts": {
    "start": "node src/payments.mjs"
  },
  "dependencies": {
    "express": "^4.19.2"
  }
}
'''

CHART = '''apiVersion: v2
name: payments
description: Payments API
type: application
version: 0.3.0
appVersion: "1.4.0"
'''

VALUES = '''# Default values for payments.
replicaCount: 2

image:
  repository: registry.internal/payments
  tag: ""

stripe:
  # Name of an existing Secret holding the key under `stripe-api-key`; when empty the chart
  # creates one from `apiKey`.
  existingSecret: ""
  apiKey: "{stripe}"

postgresql:
  auth:
    username: ledger
    # The database password lives in this Secret (key `password`).
    passwordSecret: db-creds
    database: ledger

redis:
  password: "{redis}"
'''

DEPLOYMENT = '''apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{{{ .Release.Name }}}}-payments
  labels:
    app.kubernetes.io/name: payments
spec:
  replicas: {{{{ .Values.replicaCount }}}}
  selector:
    matchLabels:
      app.kubernetes.io/name: payments
  template:
    metadata:
      labels:
        app.kubernetes.io/name: payments
    spec:
      containers:
        - name: payments
          image: "{{{{ .Values.image.repository }}}}:{{{{ .Values.image.tag | default .Chart.AppVersion }}}}"
          env:
            - name: STRIPE_SECRET_KEY
              valueFrom:
                secretKeyRef:
                  name: {{{{ .Values.stripe.existingSecret | default (printf "%s-stripe" .Release.Name) }}}}
                  key: stripe-api-key
            - name: DB_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: {{{{ .Values.postgresql.auth.passwordSecret }}}}
                  key: password
            - name: REDIS_PASSWORD
              value: {{{{ .Values.redis.password | quote }}}}
'''

SECRET_TEMPLATE = '''{{{{- if not .Values.stripe.existingSecret }}}}
apiVersion: v1
kind: Secret
metadata:
  name: {{{{ .Release.Name }}}}-stripe
type: Opaque
stringData:
  stripe-api-key: {{{{ .Values.stripe.apiKey | quote }}}}
{{{{- end }}}}
'''

NOTES = '''Payments is deployed as {{{{ .Release.Name }}}}-payments.

The Stripe key comes from the Secret {{{{ .Values.stripe.existingSecret | default (printf "%s-stripe" .Release.Name) }}}}.
'''

K8S_SECRETS = '''# Secrets for the payments namespace (applied by the platform pipeline).
apiVersion: v1
kind: Secret
metadata:
  name: db-creds
  namespace: payments
type: Opaque
data:
  username: {db_user_b64}
  password: {db_b64}
---
apiVersion: v1
kind: Secret
metadata:
  name: payments-tls
  namespace: payments
type: kubernetes.io/tls
stringData:
  tls.crt: |
    -----BEGIN CERTIFICATE-----
    MIIBszCCAVmgAwIBAgIUQ2VydGlmaWNhdGUtZm9yLXRlc3Rz
    -----END CERTIFICATE-----
  tls.key: |
{pem_indented}
'''


def build(root: Path) -> Sample:
    pem = private_key(7)
    values = {
        "stripe": stripe_secret_key(2),
        "smtp": password("smtp", 2),
        "db": password("ledgerdb", 2),
        "redis": url_password("redis", 2),
        "pem": pem,
        "db_user": "ledger",
    }
    pem_indented = "\n".join("    " + line for line in pem.splitlines())
    write_tree(root, {
        "package.json": PACKAGE_JSON,
        "src/payments.mjs": PAYMENTS.format(**values),
        "src/mailer.cjs": MAILER.format(**values),
        "src/db.ts": DB.format(**values),
        "chart/Chart.yaml": CHART,
        "chart/values.yaml": VALUES.format(**values),
        "chart/templates/deployment.yaml": DEPLOYMENT.format(),
        "chart/templates/secret.yaml": SECRET_TEMPLATE.format(),
        "chart/templates/NOTES.txt": NOTES.format(),
        "k8s/secrets.yaml": K8S_SECRETS.format(db_user_b64=b64(values["db_user"]), db_b64=b64(values["db"]),
                                               pem_indented=pem_indented),
        ".secretshift.toml": '[migrate]\nenv = "prod"\n',
    })
    return Sample(root, values, references=("passwordSecret: db-creds",))
