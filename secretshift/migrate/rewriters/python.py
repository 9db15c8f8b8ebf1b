"""Python: a string literal -> a runtime lookup in AWS Secrets Manager (libcst keeps every other
byte, comments and formatting included).

    API_TOKEN = "..."        becomes
    API_TOKEN = json.loads(_secret_cache.get_secret_string("billing/default/API_TOKEN"))["API_TOKEN"]

with ``import json``, the client import and ONE module-level ``_secret_cache = SecretCache()``
(``python_client = "caching"``, aws-secretsmanager-caching) or ``_secrets_client =
boto3.client("secretsmanager")`` (``python_client = "boto3"``) added once, after the module's
leading docstring and imports. Every secret is a JSON document, so the lookup always selects its key.
"""
from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from secretshift.migrate.rewriters.base import Reference, RewriteRefused, RewriteResult, RewriteSettings

if TYPE_CHECKING:
    import libcst as cst

CACHE_NAME = "_secret_cache"
CLIENT_NAME = "_secrets_client"


JSON_ALIAS = "_stdlib_json"
_JSON_REBOUND = re.compile(r"(?m)^\s*(?:import\s+\w[\w.]*\s+as\s+json\b|from\s+\S+\s+import\s+.*\bjson\b|json\s*=)")


def json_name(text: str) -> str:
    """`json`, unless the module binds that name to something else (`import simplejson as
    json`): then the standard module is imported under its own alias, never rebinding theirs."""
    return JSON_ALIAS if _JSON_REBOUND.search(text) else "json"


def lookup_source(ref: Reference, settings: RewriteSettings, json_module: str = "json") -> str:
    name, key = json.dumps(ref.secret_name), json.dumps(ref.json_key)
    if settings.python_client == "boto3":
        return f'{json_module}.loads({CLIENT_NAME}.get_secret_value(SecretId={name})["SecretString"])[{key}]'
    return f"{json_module}.loads({CACHE_NAME}.get_secret_string({name}))[{key}]"


def header_sources(settings: RewriteSettings, json_module: str = "json") -> tuple[list[str], str, str]:
    """(import lines, the module-level client's variable, its assignment line)."""
    region = f", region_name={json.dumps(settings.region)}" if settings.region else ""
    json_import = "import json" if json_module == "json" else f"import json as {json_module}"
    if settings.python_client == "boto3":
        return [json_import, "import boto3"], CLIENT_NAME, f'{CLIENT_NAME} = boto3.client("secretsmanager"{region})'
    imports = [json_import, "from aws_secretsmanager_caching import SecretCache"]
    if region:
        imports.append("import boto3")
        return imports, CACHE_NAME, f'{CACHE_NAME} = SecretCache(client=boto3.client("secretsmanager"{region}))'
    return imports, CACHE_NAME, f"{CACHE_NAME} = SecretCache()"


class PythonRewriter:
    name = "python"

    def applies_to(self, path: str, text: str) -> bool:
        return path.endswith(".py")

    def rewrite(
        self, path: str, text: str, refs: Sequence[Reference], settings: RewriteSettings
    ) -> RewriteResult:
        import libcst as cst

        if not refs:
            return RewriteResult(text=text)
        try:
            module = cst.parse_module(text)
        except cst.ParserSyntaxError:
            raise RewriteRefused(f"{path}: not valid Python, so it cannot be rewritten safely") from None
        wrapper = cst.MetadataWrapper(module)
        json_module = json_name(text)
        replacer = _replacer(path, refs, settings, json_module)
        module = wrapper.visit(replacer)
        missing = [r for r in refs if (r.line, r.column) not in replacer.done]
        if missing:
            first = missing[0]
            raise RewriteRefused(
                f"{path}:{first.line}: the secret is not a whole plain string literal "
                "(an f-string, bytes, a concatenation, a multi-line string or two secrets in one string); move it by hand"
            )
        module = _add_header(module, settings, json_module)
        imports, _, _ = header_sources(settings, json_module)
        requirements = {"boto3"} if any("boto3" in line for line in imports) else set()
        if settings.python_client == "caching":
            requirements.add("aws-secretsmanager-caching")
        return RewriteResult(
            text=module.code,
            notes=(f"{path}: secrets are fetched from ASM when the module runs; the workload needs the IAM policy",),
            requirements=tuple(sorted(requirements)),
        )


def _quote_widths(value: str) -> tuple[int, int]:
    """(prefix length, quote length) of a string literal's source."""
    prefix = len(value) - len(value.lstrip("rRuUbBfF"))
    body = value[prefix:]
    quote = 3 if body[:3] in ('"""', "'''") else 1
    return prefix, quote


def _replacer(path: str, refs: Sequence[Reference], settings: RewriteSettings, json_module: str) -> Any:
    """A libcst transformer, defined here so importing this module never imports libcst."""
    import libcst as cst
    from libcst.metadata import PositionProvider

    class Replacer(cst.CSTTransformer):
        METADATA_DEPENDENCIES = (PositionProvider,)

        def __init__(self) -> None:
            super().__init__()
            self.done: set[tuple[int, int]] = set()
            self.in_concatenation = 0

        def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> None:
            self.in_concatenation += 1

        def leave_ConcatenatedString(self, original: cst.ConcatenatedString,
                                     updated: cst.ConcatenatedString) -> cst.BaseExpression:
            self.in_concatenation -= 1
            return updated

        def leave_SimpleString(self, original: cst.SimpleString,
                               updated: cst.SimpleString) -> cst.BaseExpression:
            prefix, quote = _quote_widths(original.value)
            if self.in_concatenation or "b" in original.value[:prefix].lower():
                return updated  # a call cannot sit inside "a" "b"; bytes are not str secrets
            pos = self.get_metadata(PositionProvider, original)
            # libcst columns are 0-based, the plan's are 1-based; the value sits inside the quotes.
            inner_start = (pos.start.line, pos.start.column + prefix + quote + 1)
            inner_end = (pos.end.line, pos.end.column - quote + 1)
            for ref in refs:
                if (ref.line, ref.column) == inner_start and (ref.end_line, ref.end_column) == inner_end:
                    self.done.add((ref.line, ref.column))
                    return cst.parse_expression(lookup_source(ref, settings, json_module))
            inside = [r for r in refs if r.line == r.end_line == inner_start[0] == inner_end[0]
                      and inner_start[1] <= r.column < r.end_column <= inner_end[1]]
            if len(inside) == 1 and quote == 1:
                # Part of a longer string (a URL's password): the string is composed at run time
                # from its literal parts and the looked-up part, byte for byte as before.
                ref = inside[0]
                literal = original.value
                head = literal[: prefix + quote]
                tail = literal[-quote:]
                cut_start = ref.column - pos.start.column - 1
                cut_end = ref.end_column - pos.start.column - 1
                parts = [f"{head}{literal[prefix + quote:cut_start]}{tail}", lookup_source(ref, settings, json_module),
                         f"{head}{literal[cut_end:-quote]}{tail}"]
                self.done.add((ref.line, ref.column))
                return cst.parse_expression("(" + " + ".join(p for p in parts if p != head + tail) + ")")
            return updated

    return Replacer()


def _add_header(module: cst.Module, settings: RewriteSettings, json_module: str) -> cst.Module:
    import libcst as cst

    imports, variable, assignment = header_sources(settings, json_module)
    body = list(module.body)
    present = {cst.Module(body=[stmt]).code.strip() for stmt in body if isinstance(stmt, cst.SimpleStatementLine)}
    index = 0
    if body and _is_docstring(body[0]):
        index = 1
    while index < len(body) and _is_import(body[index]):
        index += 1
    new: list[cst.SimpleStatementLine] = [
        cst.parse_statement(line) for line in imports if line not in present  # type: ignore[misc]
    ]
    if not any(_assigns(stmt, variable) for stmt in body):
        statement = cst.parse_statement(assignment)
        assert isinstance(statement, cst.SimpleStatementLine)
        new.append(statement.with_changes(leading_lines=[cst.EmptyLine()]))
        if index < len(body) and not body[index].leading_lines:
            body[index] = body[index].with_changes(leading_lines=[cst.EmptyLine()])
    if not new:
        return module
    return module.with_changes(body=[*body[:index], *new, *body[index:]])


def _is_docstring(statement: cst.BaseStatement) -> bool:
    import libcst as cst

    return (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1
            and isinstance(statement.body[0], cst.Expr)
            and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString)))


def _is_import(statement: cst.BaseStatement) -> bool:
    import libcst as cst

    return isinstance(statement, cst.SimpleStatementLine) and all(
        isinstance(s, (cst.Import, cst.ImportFrom)) for s in statement.body
    )


def _assigns(statement: cst.BaseStatement, variable: str) -> bool:
    import libcst as cst

    if not isinstance(statement, cst.SimpleStatementLine):
        return False
    for small in statement.body:
        if isinstance(small, (cst.Assign, cst.AnnAssign)):
            targets = [t.target for t in small.targets] if isinstance(small, cst.Assign) else [small.target]
            if any(isinstance(t, cst.Name) and t.value == variable for t in targets):
                return True
    return False
