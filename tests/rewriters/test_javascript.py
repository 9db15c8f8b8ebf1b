from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from secretshift.migrate.rewriters.base import RewriteRefused
from secretshift.migrate.rewriters.javascript import JavaScriptRewriter, accessor
from tests.rewriters.support import SETTINGS, ref_to, rewrite_twice, tree_sitter_errors

ESM = """\
// Database access
import pg from "pg";

export const DB_PASSWORD = "js-pa55word-a1b2c3d4";

export async function connect() {
  return new pg.Client({ password: DB_PASSWORD, token: 'tok-ffeeddccbbaa9988' });
}

export function describe() {
  return `user with ${DB_PASSWORD.length} characters`;
}
"""
ESM_EXPECTED_TAIL = """\
export const DB_PASSWORD = await getSecretValue("shop/prod/js", "DB_PASSWORD");

export async function connect() {
  return new pg.Client({ password: DB_PASSWORD, token: (await getSecretValue("shop/prod/js", "token")) });
}

export function describe() {
  return `user with ${DB_PASSWORD.length} characters`;
}
"""


CJS = """\
'use strict';
const axios = require("axios");

async function call() {
  return axios.get("/x", { headers: { "X-Api-Key": "cjs-key-0123456789ab" } });
}
module.exports = { call };
"""


def _node_check(path: Path) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    proc = subprocess.run([node, "--check", str(path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_esm_constant_is_awaited_at_top_level_so_every_use_keeps_working(tmp_path: Path) -> None:
    refs = [ref_to(ESM, "js-pa55word-a1b2c3d4", "shop/prod/js", "DB_PASSWORD", "src/db.mjs"),
            ref_to(ESM, "tok-ffeeddccbbaa9988", "shop/prod/js", "token", "src/db.mjs")]
    result = rewrite_twice(JavaScriptRewriter(), "src/db.mjs", ESM, refs)
    assert result.text.startswith('// Database access\nimport pg from "pg";\n'
                                  'import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";\n')
    assert result.text.endswith(ESM_EXPECTED_TAIL)
    assert result.requirements == ("npm:@aws-sdk/client-secrets-manager@^3.0.0",)
    assert any("top-level await" in note for note in result.notes)
    (tmp_path / "db.mjs").write_text(result.text)
    _node_check(tmp_path / "db.mjs")


def test_commonjs_gets_require(tmp_path: Path) -> None:
    ref = ref_to(CJS, "cjs-key-0123456789ab", "shop/prod/api", "api_key", "lib/api.js")
    result = rewrite_twice(JavaScriptRewriter(), "lib/api.js", CJS, [ref])
    assert result.text.startswith("'use strict';\nconst axios = require(\"axios\");\n"
                                  "const { GetSecretValueCommand, SecretsManagerClient } = "
                                  "require(\"@aws-sdk/client-secrets-manager\");\n")
    assert '"X-Api-Key": (await getSecretValue("shop/prod/api", "api_key"))' in result.text
    (tmp_path / "api.cjs").write_text(result.text)
    _node_check(tmp_path / "api.cjs")


def test_typescript_gets_typed_helper() -> None:
    text = 'import express from "express";\n\nconst API_KEY: string = "ts-key-abcdef0123456789";\n'
    ref = ref_to(text, "ts-key-abcdef0123456789", "shop/prod/ts", "API_KEY", "src/app.ts")
    result = rewrite_twice(JavaScriptRewriter(), "src/app.ts", text, [ref])
    assert "async function getSecretValue(secretId: string, jsonKey: string): Promise<string>" in result.text
    assert 'const API_KEY: string = await getSecretValue("shop/prod/ts", "API_KEY");' in result.text
    assert not tree_sitter_errors("typescript", result.text)


def test_refuses_synchronous_code() -> None:
    text = "function sign(body) {\n  return hmac('js-sync-secret-0987654321', body);\n}\n"
    ref = ref_to(text, "js-sync-secret-0987654321", "x", "k", "sign.js")
    with pytest.raises(RewriteRefused, match="synchronous"):
        JavaScriptRewriter().rewrite("sign.js", text, [ref], SETTINGS)


def test_helper_is_added_once() -> None:
    first = JavaScriptRewriter().rewrite("src/db.mjs", ESM, [ref_to(ESM, "js-pa55word-a1b2c3d4", "s", "k", "src/db.mjs")], SETTINGS).text
    second = JavaScriptRewriter().rewrite("src/db.mjs", first, [ref_to(first, "tok-ffeeddccbbaa9988", "s", "t", "src/db.mjs")], SETTINGS).text
    assert second.count("async function getSecretValue(") == 1
    assert second.count("@aws-sdk/client-secrets-manager") == 1


@pytest.mark.parametrize(("name", "expected"), [("DB_PASSWORD", "getDbPassword"), ("apiKey", "getApiKey"),
                                                 ("stripeSecretKEY", "getStripeSecretKey")])
def test_accessor_names(name: str, expected: str) -> None:
    assert accessor(name) == expected


@pytest.mark.parametrize("path", ["app.py", "x.json", "types.d.ts.map"])
def test_leaves_other_files_alone(path: str) -> None:
    assert not JavaScriptRewriter().applies_to(path, "")


def test_a_template_literal_part_is_refused_for_that_site_only() -> None:
    text = 'const URL = `https://api.example/${"x"}?key=js-tpl-secret-0123456789`;\n'
    ref = ref_to(text, "js-tpl-secret-0123456789", "s", "k", "u.mjs")
    with pytest.raises(RewriteRefused, match="template literal"):
        JavaScriptRewriter().rewrite("u.mjs", text, [ref], SETTINGS)


def test_commonjs_constant_is_filled_by_an_exported_secrets_ready(tmp_path: Path) -> None:
    text = 'const TOKEN = "cjs-token-0123456789ab";\n\nfunction auth() {\n  return TOKEN;\n}\n\nmodule.exports = { auth };\n'
    result = rewrite_twice(JavaScriptRewriter(), "lib/t.js", text, [ref_to(text, "cjs-token-0123456789ab", "s", "TOKEN", "lib/t.js")])
    assert "let TOKEN; // read from AWS Secrets Manager by secretsReady" in result.text
    assert result.text.endswith('const secretsReady = (async () => {\n  TOKEN = await getSecretValue("s", "TOKEN");\n'
                                "})();\nmodule.exports.secretsReady = secretsReady;\n")
    assert "export " not in result.text and "return TOKEN;" in result.text
    assert any('await require("./t.js").secretsReady' in note for note in result.notes)
    (tmp_path / "t.cjs").write_text(result.text)
    _node_check(tmp_path / "t.cjs")
