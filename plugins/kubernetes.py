"""Kubernetes ``kind: Secret`` manifests: every ``data``/``stringData`` value is a secret.

A Secret declares its values secret, so no key vocabulary or entropy is needed: only
placeholders, references and templates are let through. ``data`` values are base64-decoded
first and judged on the decoded text (reported with ``encoding=base64``).
"""
from __future__ import annotations

import base64
import binascii
import bisect
import json
import re
from collections.abc import Iterable, Iterator, Sequence

from secretshift import lazy_re
from secretshift.scanner.detector import RawMatch
from secretshift.models import Blob, Example, Rule
from secretshift.plugins import filters as f
from secretshift.plugins.assignments import block_text, line_bounds, next_line, pairs_in_line
from secretshift.plugins.filekind import CONFIG_BARE, path_kind

DATA_RULE = "k8s-secret-data"
STRING_DATA_RULE = "k8s-secret-string-data"
_MAX_DOC = 1 << 20
_KIND = lazy_re.compile(rb"""(?m)^kind:[ \t]*["']?Secret["']?[ \t]*(?:#.*)?\r?$""")
_SECTION = lazy_re.compile(rb"""(?m)^(?P<name>data|stringData):[ \t]*(?:#.*)?\r?$""")
_SEPARATOR = lazy_re.compile(rb"\n---")
_JSON_KIND = lazy_re.compile(rb""""kind"\s*:\s*"Secret\"""")
_BASE64 = lazy_re.compile(r"[A-Za-z0-9+/=\s]+|[A-Za-z0-9_\-=]+")


def declared_secret_ok(value: str) -> bool:
    """A value a Secret declares secret is reported unless it is clearly not a real value."""
    stripped = value.strip()
    if not stripped or f.is_reference(stripped) or f.is_templated(stripped) or f.is_public_material(stripped):
        return False
    return not f.is_placeholder(stripped)


def decode_base64(value: str) -> str | None:
    text = value.strip()
    if not text or len(text) > _MAX_DOC or _BASE64.fullmatch(text) is None:
        return None
    try:
        raw = base64.b64decode(text + "=" * (-len(text) % 4), validate=False)
    except (binascii.Error, ValueError):
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        except (binascii.Error, ValueError):
            return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1") if raw else None


class KubernetesSecretDetector:
    name = "kubernetes-secret"
    priority = 60
    keywords: tuple[str, ...] = ("kind: secret", "kind: 'secret'", 'kind: "secret"', '"kind": "secret"', '"kind":"secret"')
    rules: tuple[Rule, ...] = (
        Rule(
            id=DATA_RULE,
            description="Kubernetes Secret data value (base64-decoded)",
            regex="",
            keywords=(),
            positives=(
                Example(
                    "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: shop\n"
                    "data:\n  password: V3E5clQ0eVUyaU83\n",
                    path="k8s/db-secret.yaml",
                    secret="Wq9rT4yU2iO7",
                ),
            ),
            negatives=(
                Example(
                    "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ndata:\n"
                    "  password: {{ .Values.password | b64enc }}\n",
                    "a Helm template, rendered at deploy time",
                    path="chart/templates/secret.yaml",
                ),
                Example(
                    "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ndata:\n  password: Y2hhbmdlbWU=\n",
                    "decodes to a placeholder (changeme)",
                    path="k8s/secret.yaml",
                ),
            ),
        ),
        Rule(
            id=STRING_DATA_RULE,
            description="Kubernetes Secret stringData value",
            regex="",
            keywords=(),
            positives=(
                Example(
                    "apiVersion: v1\nkind: Secret\nmetadata:\n  name: api\nstringData:\n  token: q7Lm2Wz9Kp4\n",
                    path="k8s/api.yaml",
                    secret="q7Lm2Wz9Kp4",
                ),
            ),
            negatives=(
                Example(
                    "apiVersion: v1\nkind: Secret\nmetadata:\n  name: api\nstringData:\n  token: <set-me>\n",
                    "a placeholder",
                    path="k8s/api.yaml",
                ),
            ),
        ),
    )

    def detect(self, blob: Blob, hits: Sequence[int]) -> Iterable[RawMatch]:
        data = blob.data
        kind = path_kind(blob.path)
        if kind in ("json",):
            return self._json(data) if _JSON_KIND.search(data, 0, min(len(data), _MAX_DOC)) else []
        out: list[RawMatch] = []
        # Document bounds once per blob: per-hit searches would make a keyword-dense file quadratic.
        separators = [m.start() + 1 for m in _SEPARATOR.finditer(data)]
        done: set[int] = set()
        for hit in hits:
            index = bisect.bisect_right(separators, hit)
            doc_start = separators[index - 1] if index else 0
            if doc_start in done:
                continue
            done.add(doc_start)
            doc_end = separators[index] - 1 if index < len(separators) else len(data)
            if doc_end - doc_start > _MAX_DOC or not _KIND.search(data, doc_start, doc_end):
                continue
            out.extend(self._yaml_document(data, doc_start, doc_end))
        return out

    def _yaml_document(self, data: bytes, start: int, end: int) -> list[RawMatch]:
        group = _yaml_group(data, start, end)
        out = []
        for section in _SECTION.finditer(data, start, end):
            name = section.group("name").decode()
            first = data.find(b"\n", section.end() - 1, end) + 1
            for lo, hi, _ in _children(data, first, end):
                for pair in pairs_in_line(data, lo, hi, CONFIG_BARE, "yaml"):
                    if pair.inner or pair.prefix.strip():
                        continue
                    match = self._judge(data, pair.key, pair.start, pair.end, pair.block, name, group)
                    if match is not None:
                        out.append(match)
                    break
        return out

    def _judge(
        self, data: bytes, key: str, start: int, end: int, block: bool, section: str, group: str
    ) -> RawMatch | None:
        raw = block_text(data, start, end) if block else data[start:end].decode("utf-8", "replace")
        context: list[tuple[str, str]] = [("kind", "k8s-secret"), ("key_path", f"{section}.{key}"), ("group", group)]
        if section == "data":
            decoded = decode_base64(raw.replace("\n", ""))
            if decoded is None or not declared_secret_ok(decoded):
                return None
            context.append(("encoding", "base64"))
            return RawMatch(DATA_RULE, start, end, value=decoded, key=key, context=tuple(context))
        if block and raw.strip().count("\n") >= 1 and "PRIVATE KEY" not in raw:
            return None  # an embedded config file: the generic detector reads its lines
        if not declared_secret_ok(raw):
            return None
        return RawMatch(STRING_DATA_RULE, start, end, value=raw if block else None, key=key, context=tuple(context))

    def _json(self, data: bytes) -> list[RawMatch]:
        try:
            document = json.loads(data[:_MAX_DOC])
        except (ValueError, UnicodeDecodeError):
            return []
        items = document.get("items") if isinstance(document, dict) else None
        manifests = items if isinstance(items, list) else [document]
        out: list[RawMatch] = []
        cursor = 0
        for manifest in manifests:
            if not isinstance(manifest, dict) or manifest.get("kind") != "Secret":
                continue
            meta = manifest.get("metadata")
            meta = meta if isinstance(meta, dict) else {}
            group = f"{meta.get('namespace', 'default')}/{meta.get('name', '')}"
            for section in ("data", "stringData"):
                values = manifest.get(section)
                if not isinstance(values, dict):
                    continue
                for key, value in values.items():
                    if not isinstance(value, str):
                        continue
                    pattern = re.compile(
                        re.escape(json.dumps(key)).encode() + rb"\s*:\s*\"" + re.escape(json.dumps(value)[1:-1]).encode() + rb"\""
                    )
                    found = pattern.search(data, cursor)
                    if found is None:
                        continue
                    value_start = found.end() - 1 - len(json.dumps(value)[1:-1].encode())
                    match = self._judge(data, key, value_start, found.end() - 1, False, section, group)
                    if match is not None:
                        out.append(match)
        return out


def _yaml_group(data: bytes, start: int, end: int) -> str:
    """``namespace/name`` from the document's top-level ``metadata``."""
    meta = re.search(rb"(?m)^metadata:[ \t]*\r?$", data[start:end])
    name, namespace = "", "default"
    if meta is not None:
        for _, _, stripped in _children(data, start + meta.end() + 1, end):
            field, _, value = stripped.partition(b":")
            value = value.split(b" #")[0].strip().strip(b"\"'")
            if field == b"name":
                name = value.decode("utf-8", "replace")
            elif field == b"namespace":
                namespace = value.decode("utf-8", "replace")
    return f"{namespace}/{name}"


def _children(data: bytes, pos: int, end: int) -> Iterator[tuple[int, int, bytes]]:
    """The direct children of the YAML block whose first child line starts at ``pos``:
    ``(line start, line end, line without its indent)``, comments and blank lines skipped,
    until the next top-level line."""
    child_indent = -1
    while 0 < pos < end:
        lo, hi = line_bounds(data, pos)
        text = data[lo:hi]
        stripped = text.lstrip(b" ")
        indent = len(text) - len(stripped)
        if stripped and not stripped.startswith(b"#"):
            if indent == 0:
                return
            if child_indent == -1:
                child_indent = indent
            if indent == child_indent:
                yield lo, hi, stripped
        pos = next_line(data, hi)
