"""The per-file rewrite a plan shows: the rewriter's output as a unified diff, every secret value
masked on both sides (migrated ones by their new home, the others as `<secret>`)."""
from __future__ import annotations

import difflib
import hashlib
from collections.abc import Sequence

from secretshift.migrate.plan_file import FileRewrite, SourceRef
from secretshift.migrate.rewriters import rewriter_for
from secretshift.migrate.rewriters.base import Reference, RewriteRefused, char_span
from secretshift.migrate.settings import MigrateSettings
from secretshift.models import Finding


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def masked(text: str, refs: Sequence[Reference], label: dict[tuple[int, int], str]) -> str:
    """``text`` with every secret span replaced by a label, so a diff can show it safely."""
    spans = sorted({char_span(text, r) for r in refs}, reverse=True)
    for start, end in spans:
        text = text[:start] + label.get((start, end), "<secret>") + text[end:]
    return text


def rewrite_file(path: str, text: str, refs: Sequence[SourceRef], file_findings: Sequence[Finding],
                 settings: MigrateSettings) -> FileRewrite:
    original = sha256(text)
    # Nothing a rewriter says (notes, refusals, files beside) reaches the plan unmasked.
    hidden = _plaintexts(text, file_findings)
    references = [r.reference() for r in refs]
    all_spans = [_finding_ref(f) for f in file_findings] + references
    try:
        labels = {char_span(text, r): f"<secret {r.secret_name}#{r.json_key}>" for r in references}
        shown = masked(text, all_spans, labels)
    except RewriteRefused as exc:
        return FileRewrite(path, original, None, None, "", refused=_hide(str(exc), hidden))
    rewriter = rewriter_for(path, text)
    if rewriter is None:
        return FileRewrite(path, original, None, None, "", refused="no rewriter for this file type yet")
    try:
        result = rewriter.rewrite(path, text, references, settings.rewrite)
    except RewriteRefused as exc:
        return FileRewrite(path, original, rewriter.name, None, "", refused=_hide(str(exc), hidden))
    if any(f.secret.reveal() in result.text for f in file_findings if len(f.secret) >= 4
           and sha256(f.secret.reveal()) in {r.value_hash for r in refs}):
        return FileRewrite(path, original, rewriter.name, None, "",
                           refused=f"the {rewriter.name} rewriter left a migrated value in the file")
    diff = "".join(difflib.unified_diff(
        _hide(shown, hidden).splitlines(keepends=True), _hide(result.text, hidden).splitlines(keepends=True),
        fromfile=f"a/{path}", tofile=f"b/{path}",
    ))
    for extra_path, content in sorted(result.extra_files.items()):
        diff += "".join(difflib.unified_diff([], _hide(content, hidden).splitlines(keepends=True),
                                             fromfile="/dev/null", tofile=f"b/{extra_path}"))
    return FileRewrite(
        path=path, original_sha256=original, rewriter=rewriter.name, planned_sha256=sha256(result.text),
        diff=diff, notes=tuple(_hide(n, hidden) for n in result.notes), requirements=result.requirements,
        extra_files=tuple(sorted(result.extra_files)),
    )


def _plaintexts(text: str, findings: Sequence[Finding]) -> list[str]:
    """Every value of the file, and its raw form (e.g. base64), longest first: values that stay
    (not selected for migration) also appear in the rewritten side of the diff."""
    out = {f.secret.reveal() for f in findings}
    for finding in findings:
        try:
            start, end = char_span(text, _finding_ref(finding))
        except RewriteRefused:
            continue
        out.add(text[start:end])
    return sorted((v for v in out if v), key=len, reverse=True)


def _hide(text: str, plaintexts: Sequence[str]) -> str:
    for value in plaintexts:
        text = text.replace(value, "<secret>")
    return text


def _finding_ref(finding: Finding) -> Reference:
    return Reference(finding.path, finding.line, finding.column, finding.end_line, finding.end_column, "", "")
