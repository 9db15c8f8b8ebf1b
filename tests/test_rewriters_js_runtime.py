"""The rewritten JavaScript, run by node against the local Secrets Manager endpoint.

The AWS SDK v3 package is not installed here, so ``node_modules/@aws-sdk/client-secrets-manager`` is a
stand-in written for this test: the same two exports, sending the real GetSecretValue JSON request
over HTTP to moto. Everything else that runs (helper, cache, accessor, awaits) is the rewriter's output.
"""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import boto3
import pytest

from secretshift.migrate.rewriters.javascript import JavaScriptRewriter
from tests.rewriters.support import SETTINGS, ref_to

STAND_IN = """\
export class GetSecretValueCommand { constructor(input) { this.input = input; } }
export class SecretsManagerClient {
  constructor(config) { this.endpoint = process.env.AWS_ENDPOINT_URL; }
  async send(command) {
    const response = await fetch(this.endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "secretsmanager.GetSecretValue",
                 "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/secretsmanager/aws4_request, SignedHeaders=host, Signature=0" },
      body: JSON.stringify(command.input),
    });
    if (!response.ok) { throw new Error(`GetSecretValue failed: ${response.status}`); }
    return response.json();
  }
}
"""

MODULE = """\
export const API_KEY = "js-runtime-key-5a4b3c2d1e";

export async function headers() {
  return { "X-Api-Key": API_KEY, "X-Other": "js-runtime-other-9z8y7x" };
}
"""
MAIN = """\
import { getApiKey, headers } from "./config.mjs";
console.log(JSON.stringify({ key: await getApiKey(), headers: await headers() }));
"""


def test_rewritten_module_reads_the_secret(tmp_path: Path, asm: str) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    client = boto3.client("secretsmanager", endpoint_url=asm, region_name="us-east-1")
    client.create_secret(Name="shop/js", SecretString=json.dumps(
        {"API_KEY": "js-runtime-key-5a4b3c2d1e", "other": "js-runtime-other-9z8y7x"}))
    refs = [ref_to(MODULE, "js-runtime-key-5a4b3c2d1e", "shop/js", "API_KEY", "config.mjs"),
            ref_to(MODULE, "js-runtime-other-9z8y7x", "shop/js", "other", "config.mjs")]
    result = JavaScriptRewriter().rewrite("config.mjs", MODULE, refs, SETTINGS)
    package = tmp_path / "node_modules" / "@aws-sdk" / "client-secrets-manager"
    package.mkdir(parents=True)
    (package / "package.json").write_text('{"name": "@aws-sdk/client-secrets-manager", "type": "module", "main": "index.js"}')
    (package / "index.js").write_text(STAND_IN)
    (tmp_path / "config.mjs").write_text(result.text)
    (tmp_path / "main.mjs").write_text(MAIN)
    ran = subprocess.run([node, "main.mjs"], cwd=tmp_path, capture_output=True, text=True, timeout=60,
                         env={"PATH": "/usr/bin:/bin", "AWS_ENDPOINT_URL": asm})
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout) == {
        "key": "js-runtime-key-5a4b3c2d1e",
        "headers": {"X-Api-Key": "js-runtime-key-5a4b3c2d1e", "X-Other": "js-runtime-other-9z8y7x"},
    }
