"""JavaScript / TypeScript -> AWS SDK v3 ``GetSecretValueCommand`` through one cached helper.

The SDK is asynchronous, so a literal cannot simply become a call:
- a module-level ``const NAME = "literal"`` becomes an exported async accessor
  ``getName()``; the remaining uses of ``NAME`` are listed for review (they need ``await``);
- a literal inside an ``async`` function becomes ``(await getSecretValue(id, key))``;
- anything else (synchronous code) is refused: there is no safe rewrite.
ESM files get an ``import``, CommonJS files a ``require``; the helper is added once per file.
"""
from __future__ import annotations

import json
import re
from collections.abc import Sequence

from secretshift.migrate.rewriters.base import Reference, RewriteRefused, RewriteResult, RewriteSettings
from secretshift.migrate.rewriters.common import Edit, apply_edits, line_of, quoted_span
from secretshift.migrate.rewriters.jsscan import context, enclosing_async, module_level

PACKAGE = "@aws-sdk/client-secrets-manager"
HELPER_MARK = "async function getSecretValue(secretId, jsonKey)"
_DECLARATION = re.compile(
    r"(?P<export>export\s+)?(?:const|let|var)\s+(?P<name>[A-Za-z_$][\w$]*)\s*(?::[^=\n]+)?=\s*$")
_ESM = re.compile(r"^\s*(import\s|export\s)", re.MULTILINE)
_TS_SUFFIXES = (".ts", ".tsx", ".mts", ".cts")


def accessor(name: str) -> str:
    words = [w for w in re.split(r"[_$]+|(?<=[a-z0-9])(?=[A-Z])", name) if w]
    return "get" + "".join(w[:1].upper() + w[1:].lower() for w in words)


def helper(typescript: bool) -> str:
    sig = "secretId: string, jsonKey: string): Promise<string>" if typescript else "secretId, jsonKey)"
    cache = "new Map<string, Promise<Record<string, string>>>()" if typescript else "new Map()"
    return (
        "\n// Values of migrated secrets are read from AWS Secrets Manager at run time (cached per secret).\n"
        "const secretsManagerClient = new SecretsManagerClient({});\n"
        f"const secretsManagerCache = {cache};\n"
        f"async function getSecretValue({sig} {{\n"
        "  if (!secretsManagerCache.has(secretId)) {\n"
        "    secretsManagerCache.set(secretId, secretsManagerClient\n"
        "      .send(new GetSecretValueCommand({ SecretId: secretId }))\n"
        "      .then((out) => JSON.parse(out.SecretString ?? \"{}\")));\n"
        "  }\n"
        f"  return (await secretsManagerCache.get(secretId){'!' if typescript else ''})[jsonKey];\n"
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
        for ref in refs:
            start, end, quote = quoted_span(text, ref)
            call = f"getSecretValue({json.dumps(ref.secret_name)}, {json.dumps(ref.json_key)})"
            if not quote:
                raise RewriteRefused(f"{path}:{ref.line}: the value is part of a longer string; rewrite it by hand")
            line_start = text.rfind("\n", 0, start) + 1
            declaration = _DECLARATION.fullmatch(text[line_start:start])
            tail = re.match(r"\s*;?[ \t]*(?=\n|$)", text[end:])
            if declaration and tail and module_level(text, start):
                name = declaration.group("name")
                export = "export " if esm else ""
                edits.append((line_start, end + tail.end(),
                              f"{export}async function {accessor(name)}() {{\n  return {call};\n}}"))
                use_edits, use_notes = _uses(path, text, name, accessor(name), line_start, end)
                edits.extend(use_edits)
                notes.extend(use_notes)
                if declaration.group("export"):
                    notes.append(f"{path}: {name} was exported; importers must now call await {accessor(name)}()")
            elif enclosing_async(text, start):
                edits.append((start, end, f"(await {call})"))
            else:
                raise RewriteRefused(
                    f"{path}:{ref.line}: the value is used in synchronous code; the AWS SDK is asynchronous, "
                    "so move it into an async function or a module-level constant first")
        new_text = apply_edits(text, edits)
        if HELPER_MARK.split("(")[0] not in text:
            new_text = _add_helper(new_text, typescript, esm)
        notes.append(f"add {PACKAGE} (AWS SDK for JavaScript v3) to package.json dependencies")
        return RewriteResult(new_text, notes=tuple(notes))


def _uses(path: str, text: str, name: str, getter: str, skip_start: int,
          skip_end: int) -> tuple[list[Edit], list[str]]:
    """Uses inside async functions get ``(await getter())``; the others are listed for review."""
    edits: list[Edit] = []
    lines: list[int] = []
    for match in re.finditer(rf"(?<![\w$.]){re.escape(name)}(?![\w$:])", text):
        where = context(text, match.start())
        if skip_start <= match.start() < skip_end or where == "string":
            continue
        if where == "code" and enclosing_async(text, match.start()) and not _shorthand(text, match.start(), match.end()):
            edits.append((match.start(), match.end(), f"(await {getter}())"))
        else:
            lines.append(line_of(text, match.start()))
    if not lines:
        return edits, []
    where = ", ".join(str(line) for line in sorted(set(lines)))
    return edits, [f"{path}: review uses of {name} (original lines {where}): replace with await {getter}()"]




def _shorthand(text: str, start: int, end: int) -> bool:
    """``{ NAME }`` / ``{ a, NAME }``: a shorthand property (or an array item) must not be replaced blindly."""
    before = text[:start].rstrip()[-1:]
    after = text[end:].lstrip()[:1]
    return before in ("{", ",") and after in ("}", ",")


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
