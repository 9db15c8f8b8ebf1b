"""The per-file rewrite a plan shows, decided site by site.

A file is rewritten reference by reference: every reference its rewriter can turn into a lookup
is; each one it refuses stays as it was, with a one-line reason, and the others are still
rewritten. The result is shown as a unified diff with every secret value masked on both sides
(migrated ones by their new home, the others as `<secret>`), in every spelling a file or a
rewriter may use for it (as written, JSON/YAML escapes, `\\uXXXX`, percent-encoding, base64).
"""
from __future__ import annotations

import base64
import difflib
import hashlib
import hmac
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from secretshift.migrate.plan_file import FileRewrite, SourceRef
from secretshift.migrate.rewriters import rewriter_for
from secretshift.migrate.rewriters.base import Reference, Rewriter, RewriteRefused, RewriteResult, char_span
from secretshift.migrate.settings import MigrateSettings
from secretshift.models import Finding

KEYED_PREFIX = "hmac-sha256:"


def digest(text: str) -> str:
    """How the plan names a value or a file's content without holding it: SHA-256, or an
    HMAC-SHA256 keyed with SECRETSHIFT_HASH_KEY when that is set (an unkeyed hash of a short
    password can be reversed by guessing; plan files travel)."""
    from secretshift.hashing import hash_key

    data = text.encode("utf-8", "surrogateescape")
    key = hash_key()
    if key is None:
        return hashlib.sha256(data).hexdigest()
    return KEYED_PREFIX + hmac.new(key, b"secretshift-migrate\0" + data, hashlib.sha256).hexdigest()


sha256 = digest  # the name older callers use


def as_read(path: str, value: str) -> str:
    """A value as the application will read it: a multi-line value from a YAML file loses the
    block scalar's indentation (a PEM key stored with it is rejected by OpenSSL)."""
    if "\n" not in value or not path.endswith((".yaml", ".yml")):
        return value
    first, *rest = value.split("\n")
    widths = [len(line) - len(line.lstrip(" ")) for line in rest if line.strip()]
    cut = min(widths) if widths else 0
    return "\n".join([first, *(line[cut:] for line in rest)])


@dataclass(frozen=True)
class SiteOutcome:
    """The file's rewrite and the references it left as they were (each with its reason)."""

    file: FileRewrite
    left: tuple[tuple[SourceRef, str], ...]


def masked(text: str, refs: Sequence[Reference], label: dict[tuple[int, int], str]) -> str:
    """``text`` with every secret span replaced by a label, so a diff can show it safely."""
    spans = sorted({char_span(text, r) for r in refs}, reverse=True)
    for start, end in spans:
        text = text[:start] + label.get((start, end), "<secret>") + text[end:]
    return text


def rewrite_file(path: str, text: str, refs: Sequence[SourceRef], file_findings: Sequence[Finding],
                 settings: MigrateSettings, values: Mapping[str, str] | None = None) -> SiteOutcome:
    """``values``: value hash -> plaintext for the refs (to check no rewritten value stays)."""
    original = digest(text)
    # Nothing a rewriter says (notes, refusals, files beside) reaches the plan unmasked.
    hidden = spellings([*_plaintexts(text, file_findings), *(values or {}).values()])
    try:
        labels = {char_span(text, r.reference()): f"<secret {r.secret_name}#{r.json_key}>" for r in refs}
        shown = masked(text, [_finding_ref(f) for f in file_findings] + [r.reference() for r in refs], labels)
    except RewriteRefused as exc:
        reason = hide(str(exc), hidden)
        return SiteOutcome(FileRewrite(path, original, None, None, "", refused=reason),
                           tuple((r, _short(path, reason)) for r in refs))
    rewriter = rewriter_for(path, text, settings.rewrite)
    if rewriter is None:
        reason = "no rewriter for this file type: move the value by hand"
        return SiteOutcome(FileRewrite(path, original, None, None, "", refused=reason),
                           tuple((r, reason) for r in refs))
    result, refused = rewrite_sites(rewriter, path, text, refs, settings, values or {})
    left = tuple((ref, hide(reason, hidden)) for ref, reason in refused)
    if result is None:
        why = "; ".join(sorted({reason for _, reason in left}))
        return SiteOutcome(FileRewrite(path, original, rewriter.name, None, "", refused=why), left)
    diff = "".join(difflib.unified_diff(
        hide(shown, hidden).splitlines(keepends=True), hide(result.text, hidden).splitlines(keepends=True),
        fromfile=f"a/{path}", tofile=f"b/{path}",
    ))
    for extra_path, content in sorted(result.extra_files.items()):
        diff += "".join(difflib.unified_diff([], hide(content, hidden).splitlines(keepends=True),
                                             fromfile="/dev/null", tofile=f"b/{extra_path}"))
    notes = tuple(hide(n, hidden) for n in result.notes)
    return SiteOutcome(FileRewrite(
        path=path, original_sha256=original, rewriter=rewriter.name, planned_sha256=digest(result.text),
        diff=diff, notes=notes, requirements=result.requirements, extra_files=tuple(sorted(result.extra_files)),
    ), left)


def rewrite_sites(rewriter: Rewriter, path: str, text: str, refs: Sequence[SourceRef], settings: MigrateSettings,
                  values: Mapping[str, str]) -> tuple[RewriteResult | None, list[tuple[SourceRef, str]]]:
    """Rewrite every reference the rewriter accepts; the refused ones stay, each with its reason.
    One rewriter call when all is well; a refusal is pinned on the site it names, else on the
    sites that are refused on their own."""
    accepted = list(refs)
    left: list[tuple[SourceRef, str]] = []
    while accepted:
        try:
            result = rewriter.rewrite(path, text, [r.reference() for r in accepted], settings.rewrite)
        except RewriteRefused as exc:
            culprits = _culprits(rewriter, path, text, accepted, settings, exc)
            left.extend(culprits)
            dropped = {id(ref) for ref, _ in culprits}
            accepted = [r for r in accepted if id(r) not in dropped]
            continue
        staying = {r.value_hash for r, _ in left}
        kept = [r for r in accepted if r.value_hash not in staying and r.value_hash in values
                and _still_there(path, result.text, values[r.value_hash])]
        if not kept:
            return result, left
        left.extend((r, f"the {rewriter.name} rewriter kept the value elsewhere in this file; move it by hand")
                    for r in kept)
        accepted = [r for r in accepted if r not in kept]
    return None, left


def _still_there(path: str, text: str, value: str) -> bool:
    """Whether a rewritten file still holds ``value``: in YAML/JSON structurally (a scalar equal
    to it, or to its base64), so a short value such as `orders` that also names a namespace is not
    mistaken for a leftover; elsewhere as text, for values long enough to mean something."""
    if path.endswith((".yaml", ".yml", ".json")):
        from secretshift.migrate.rewriters.yamlnodes import scalars

        encoded = base64.b64encode(value.encode("utf-8", "surrogateescape")).decode()
        try:
            found = scalars(text)
        except Exception:  # noqa: BLE001 - ruamel raises many types; unparsable output is checked as text
            return len(value) >= 8 and value in text
        return any((s.value.strip() in (value.strip(), encoded) or (len(value) >= 8 and value in s.value))
                   and not _names_something(s.path) for s in found)
    return len(value) >= 8 and value in text


_NAMING_KEYS = frozenset({"name", "namespace", "kind", "apiVersion", "key", "secretKey", "property", "secret-ids"})


def _names_something(path: tuple[object, ...]) -> bool:
    """A scalar that names an object (metadata, a Kubernetes name, an ExternalSecret's remote
    reference) is not a value, even when its text equals a short one (`namespace: orders`)."""
    return "metadata" in path or (bool(path) and path[-1] in _NAMING_KEYS)


def _culprits(rewriter: Rewriter, path: str, text: str, refs: Sequence[SourceRef], settings: MigrateSettings,
              exc: RewriteRefused) -> list[tuple[SourceRef, str]]:
    message = str(exc)
    named = re.match(rf"{re.escape(path)}:(\d+):", message)
    if named:
        on_line = [r for r in refs if r.line == int(named.group(1))]
        if on_line:
            return [(r, _short(path, message)) for r in on_line]
    alone: list[tuple[SourceRef, str]] = []
    for ref in refs:
        try:
            rewriter.rewrite(path, text, [ref.reference()], settings.rewrite)
        except RewriteRefused as own:
            alone.append((ref, _short(path, str(own))))
    return alone or [(r, _short(path, message)) for r in refs]


def _short(path: str, message: str) -> str:
    """A rewriter's message without the `path:line:` it starts with (the site names them)."""
    return re.sub(rf"^{re.escape(path)}(:\d+)?:\s*", "", message)


def _plaintexts(text: str, findings: Sequence[Finding]) -> list[str]:
    """Every value of the file, and its raw form (e.g. base64): values that stay (not selected
    for migration) also appear in the rewritten side of the diff."""
    out = {f.secret.reveal() for f in findings}
    for finding in findings:
        try:
            start, end = char_span(text, _finding_ref(finding))
        except RewriteRefused:
            continue
        out.add(text[start:end])
    return [v for v in out if v]


_SHORT_ESCAPES = {"\n": "n", "\t": "t", "\r": "r", "/": "/", '"': '"', "\\": "\\\\"}


def _char_pattern(char: str) -> str:
    """A character as written, or escaped the ways JSON, YAML, JavaScript, Python or a URL
    write it (`\\u0040`, `\\x40`, `%40`, `\\"`)."""
    code = ord(char)
    options = [re.escape(char)]
    if not char.isalnum():
        options.append(rf"\\u(?i:{code:04x})")
        options.append(rf"%(?i:{code:02x})" if code < 128 else "")
        if code < 256:
            options.append(rf"\\x(?i:{code:02x})")
        if char in _SHORT_ESCAPES:
            options.append(re.escape("\\" + _SHORT_ESCAPES[char]))
        if char == "'":
            options.append("''")
        if char == " ":
            options.append(r"\+")
    return "(?:" + "|".join(o for o in options if o) + ")"


def spellings(values: Sequence[str]) -> list[re.Pattern[str]]:
    """For each value, one pattern matching it however a file or a rewriter spells it: as is,
    with any mix of escapes, base64 (Kubernetes `data:`), and each long line of a multi-line
    value (a PEM block, re-indented by YAML)."""
    forms: set[str] = set()
    literal: set[str] = set()
    for value in values:
        if len(value) < 4:
            continue
        forms.add(value)
        encoded = value.encode("utf-8", "surrogateescape")
        literal.add(base64.b64encode(encoded).decode())
        literal.add(base64.urlsafe_b64encode(encoded).decode().rstrip("="))
        forms.update(line.strip() for line in value.splitlines() if len(line.strip()) >= 16)
    patterns = ["".join(_char_pattern(c) for c in form) for form in sorted(forms, key=len, reverse=True)]
    patterns += [re.escape(form) for form in sorted(literal, key=len, reverse=True)]
    return [re.compile(p) for p in patterns]


def hide(text: str, plaintexts: Sequence[re.Pattern[str]]) -> str:
    for pattern in plaintexts:
        text = pattern.sub("<secret>", text)
    return text


_hide = hide


def _finding_ref(finding: Finding) -> Reference:
    return Reference(finding.path, finding.line, finding.column, finding.end_line, finding.end_column, "", "")
