"""The rewritten JavaScript, run by node against the local Secrets Manager endpoint, with the
real AWS SDK v3 (`@aws-sdk/client-secrets-manager` from the npm registry, installed once per
machine: tests/samples/toolchain.py). Everything that runs (helper, cache, top-level await) is
the rewriter's output."""
from __future__ import annotations

import json
import os
from pathlib import Path

import boto3
import pytest

from secretshift.migrate.rewriters.javascript import JavaScriptRewriter
from tests.rewriters.support import SETTINGS, ref_to
from tests.samples.toolchain import node_modules, run, tool

MODULE = """\
export const API_KEY = "js-runtime-key-5a4b3c2d1e";

export function headers() {
  return { "X-Api-Key": API_KEY };
}

export async function other() {
  return { "X-Other": "js-runtime-other-9z8y7x" };
}
"""
MAIN = """\
import { API_KEY, headers, other } from "./config.mjs";
console.log(JSON.stringify({ key: API_KEY, headers: headers(), other: await other() }));
"""


@pytest.mark.toolchain
@pytest.mark.subprocess
def test_rewritten_module_reads_the_secret(tmp_path: Path, asm: str) -> None:
    node = tool("node")
    client = boto3.client("secretsmanager", endpoint_url=asm, region_name="us-east-1")
    client.create_secret(Name="shop/js", SecretString=json.dumps(
        {"API_KEY": "js-runtime-key-5a4b3c2d1e", "other": "js-runtime-other-9z8y7x"}))
    refs = [ref_to(MODULE, "js-runtime-key-5a4b3c2d1e", "shop/js", "API_KEY", "config.mjs"),
            ref_to(MODULE, "js-runtime-other-9z8y7x", "shop/js", "other", "config.mjs")]
    result = JavaScriptRewriter().rewrite("config.mjs", MODULE, refs, SETTINGS)
    (tmp_path / "node_modules").symlink_to(node_modules(), target_is_directory=True)
    (tmp_path / "config.mjs").write_text(result.text)
    (tmp_path / "main.mjs").write_text(MAIN)
    env = {**os.environ, "AWS_ENDPOINT_URL": asm, "AWS_REGION": "us-east-1"}
    ran = run([node, "main.mjs"], tmp_path, env=env, timeout=60)
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout) == {
        "key": "js-runtime-key-5a4b3c2d1e",
        "headers": {"X-Api-Key": "js-runtime-key-5a4b3c2d1e"},
        "other": {"X-Other": "js-runtime-other-9z8y7x"},
    }
