"""JavaScript / TypeScript -> AWS SDK v3 ``GetSecretValueCommand`` through one cached helper.

The SDK is asynchronous, so a literal cannot simply become a call; each site gets a form that
keeps every existing use of the value working:
- ES modules (``.mjs``, ``.ts``, ``.js`` with ``import``/``export``): a module-level
  ``const NAME = "literal"`` becomes ``const NAME = await getSecretValue(id, key)`` (top-level
  await: importers wait for it, and every use of ``NAME`` — sync functions and template literals
  included — keeps working);
- CommonJS (``.cjs``, ``require``): the constant becomes ``let NAME;`` filled by an exported
  ``secretsReady`` promise; the program awaits it once at start-up
  (``await require("./mailer.cjs").secretsReady``) before the first use;
- a literal inside an ``async`` function becomes ``(await getSecretValue(id, key))``;
- anything else (a literal in synchronous code) is refused for that site, with the reason.
The helper caches each secret for ``SECRETS_CACHE_TTL_MS`` (default 5 minutes), never caches a
failed lookup, and so picks up a rotated value; ``@aws-sdk/client-secrets-manager`` is added to
the nearest ``package.json``.
"""
from __future__ import annotations

import json
import re
from collections.abc import Sequence

from secretshift.migrate.rewriters.base import Reference, RewriteRefused, RewriteResult, RewriteSettings
from secretshift.migrate.rewriters.common import Edit, apply_edits, quoted_span
from secretshift.migrate.rewriters.jsscan import enclosing_async, module_level

PACKAGE = "@aws-sdk/client-secrets-manager"
NPM_REQUIREMENT = f"npm:{PACKAGE}@^3.0.0"
HELPER_MARK = "async function getSecretValue(secretId, jsonKey)"
READY = "secretsReady"
_DECLARATION = re.compile(
    r"(?P<export>export\s+)?(?P<binding>const|let|var)\s+(?P<name>[A-Za-z_$][\w$]*)\s*(?P<type>:[^=\n]+)?=\s*$")
_ESM = re.compile(r"^\s*(import\s|export\s)", re.MULTILINE)
_TS_SUFFIXES = (".ts", ".tsx", ".mts", ".cts")


def accessor(name: str) -> str:
    words = [w for w in re.split(r"[_$]+|(?<=[a-z0-9])(?=[A-Z])", name) if w]
    return "get" + "".join(w[:1].upper() + w[1:].lower() for w in words)


def helper(typescript: bool) -> str:
    sig = "secretId: string, jsonKey: string): Promise<string>" if typescript else "secretId, jsonKey)"
    entry = "{ at: number; value: Promise<Record<string, string>> }"
    cache = f"new Map<string, {entry}>()" if typescript else "new Map()"
    bang = "!" if typescript else ""
    return (
        "\n// Values of migrated secrets are read from AWS Secrets Manager at run time. Each secret is cached\n"
        "// for SECRETS_CACHE_TTL_MS (default 5 minutes) so a rotated value is picked up; a failed lookup\n"
        "// is never cached.\n"
        "const secretsManagerClient = new SecretsManagerClient({});\n"
        f"const secretsManagerCache = {cache};\n"
        "const secretsCacheTtlMs = Number(process.env.SECRETS_CACHE_TTL_MS ?? 300000);\n"
        f"async function getSecretValue({sig} {{\n"
        "  const cached = secretsManagerCache.get(secretId);\n"
        "  if (!cached || Date.now() - cached.at > secretsCacheTtlMs) {\n"
        "    const value = secretsManagerClient\n"
        "      .send(new GetSecretValueCommand({ SecretId: secretId }))\n"
        "      .then((out) => JSON.parse(out.SecretString ?? \"{}\"));\n"
        "    secretsManagerCache.set(secretId, { at: Date.now(), value });\n"
        "    value.catch(() => {\n"
        "      if (secretsManagerCache.get(secretId)?.value === value) secretsManagerCache.delete(secretId);\n"
        "    });\n"
        "  }\n"
        f"  return (await secretsManagerCache.get(secretId){bang}.value)[jsonKey];\n"
        "}\n"
    )


class JavaScriptRewriter:
    name = "javascript"

    def applies_to(self, path: str, text: str) -> bool:
        return path.endswith((".js", ".mjs", ".cjs", ".jsx", *_TS_SUFFIXES))

    def rewrite(self, path: str, text: str, refs: Sequence[Reference], settings: RewriteSettings) -> RewriteResult:
        if not refs:
            return RewriteResult(text)
        typescript = path.endswith(_TS_SUFFIXES)
        esm = _is_esm(path, text)
        edits: list[Edit] = []
        notes: list[str] = []
        deferred: list[tuple[str, str]] = []  # CommonJS: (binding, lookup) filled by secretsReady
        for ref in refs:
            start, end, quote = quoted_span(text, ref)
            call = f"getSecretValue({json.dumps(ref.secret_name)}, {json.dumps(ref.json_key)})"
            if not quote or quote == "`":
                raise RewriteRefused(f"{path}:{ref.line}: the value is part of a longer string or a template "
                                     "literal; move it into a constant of its own, then plan again")
            line_start = text.rfind("\n", 0, start) + 1
            declaration = _DECLARATION.fullmatch(text[line_start:start])
            tail = re.match(r"\s*;?[ \t]*(?=\n|$)", text[end:])
            if declaration and tail and module_level(text, start):
                if esm:
                    edits.append((start, end, f"await {call}"))
                else:
                    name = declaration.group("name")
                    typed = declaration.group("type") or ""
                    edits.append((line_start, end + tail.end(),
                                  f"let {name}{typed.rstrip()}; // read from AWS Secrets Manager by {READY}"))
                    deferred.append((name, call))
            elif enclosing_async(text, start):
                edits.append((start, end, f"(await {call})"))
            else:
                raise RewriteRefused(
                    f"{path}:{ref.line}: the value is used in synchronous code; the AWS SDK is asynchronous, "
                    "so move it into an async function or a module-level constant first")
        new_text = apply_edits(text, edits)
        if "async function getSecretValue(" not in text:
            new_text = _add_helper(new_text, typescript, esm)
        if deferred:
            new_text = _add_ready(new_text, deferred)
            notes.append(f"{path}: CommonJS cannot await at load time: the program must "
                         f"`await require(\"./{path.rsplit('/', 1)[-1]}\").{READY}` once at start-up, before the "
                         f"first use of {', '.join(n for n, _ in deferred)}")
        if esm and any(e[2].startswith("await ") for e in edits):
            notes.append(f"{path}: uses top-level await (ES2022 modules: Node 14.8+, TypeScript "
                         "`module` es2022/esnext/node16+); the value is read once when the module loads "
                         "(restart to pick up a rotation, or call getSecretValue where it is used)")
        return RewriteResult(new_text, notes=tuple(notes), requirements=(NPM_REQUIREMENT,))


def _add_ready(text: str, deferred: Sequence[tuple[str, str]]) -> str:
    body = "".join(f"  {name} = await {call};\n" for name, call in deferred)
    block = (
        f"\n// Migrated secrets: await {READY} once at start-up, before the first use.\n"
        f"const {READY} = (async () => {{\n{body}}})();\n"
        f"module.exports.{READY} = {READY};\n"
    )
    return text.rstrip("\n") + "\n" + block


def _is_esm(path: str, text: str) -> bool:
    if path.endswith((".mjs", ".mts")):
        return True
    if path.endswith((".cjs", ".cts")):
        return False
    return path.endswith(_TS_SUFFIXES) or bool(_ESM.search(text))


def _add_helper(text: str, typescript: bool, esm: bool) -> str:
    if esm:
        header = f'import {{ GetSecretValueCommand, SecretsManagerClient }} from "{PACKAGE}";\n'
    else:
        header = f'const {{ GetSecretValueCommand, SecretsManagerClient }} = require("{PACKAGE}");\n'
    position = _after_prologue(text)
    # Before any code of the module, so nothing can call the helper while its constants are unset.
    rest = text[position:]
    return text[:position] + header + helper(typescript).lstrip("\n") + ("" if rest.startswith("\n") else "\n") + rest


def _after_prologue(text: str) -> int:
    """After a shebang, leading comments, directives ("use strict") and the existing imports."""
    position = 0
    prologue = re.compile(r"(#![^\n]*\n|\s*//[^\n]*\n|\s*/\*.*?\*/[^\n]*\n|\s*[\"']use \w+[\"'];?[^\n]*\n|\s*\n)", re.DOTALL)
    while match := prologue.match(text, position):
        position = match.end()
    imports = re.compile(r"(import\s[^;]*?from\s*[\"'][^\"']+[\"'];?[^\n]*\n|import\s*[\"'][^\"']+[\"'];?[^\n]*\n"
                         r"|(?:const|let|var)\s[^;\n]*=\s*require\([^)]*\)[^\n]*\n|\s*\n)", re.DOTALL)
    end_of_imports = position
    while match := imports.match(text, position):
        position = match.end()
        if match.group(0).strip():
            end_of_imports = position
    return end_of_imports
