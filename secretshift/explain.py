"""`scan --explain` and `scan --explain-dropped PATH:LINE`: why a value was reported, and why one
was not. Nothing here re-implements a decision: a reported finding is explained from its rule's
definition (the checks a finding of that rule has passed to be reported), and a dropped value is
explained by scanning the file again with the real engine, one suppression lifted at a time
(inline allow comments, the config's allowlist, rule selection, the baseline), then by the rule
checks a value on that line failed. Values are never printed: only their redacted form, length
and entropy.
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from secretshift.baseline_file import BaselineEntry
from secretshift.config import Config
from secretshift.errors import EXIT_CLEAN, FatalError
from secretshift.models import Allowlist, Blob, Finding, Rule, redact
from secretshift.textutil import printable_path, shannon_entropy

# Inline allow comments the engine honours, as text (its own list, lower-cased).
_MARKERS = ("secretshift: allow", "pragma: allowlist secret", "pragma: allowlist nextline secret", "gitleaks:allow")


def _rules_by_id(config: Config) -> dict[str, Rule]:
    from secretshift.scanner.build import all_rule_descriptions

    return {rule.id: rule for rule in all_rule_descriptions(config)}


def explain_findings(findings: Sequence[Finding], config: Config) -> str:
    rules = _rules_by_id(config)
    return "".join(_explain_one(finding, rules.get(finding.rule)) for finding in findings)


def _explain_one(finding: Finding, rule: Rule | None) -> str:
    value = finding.secret.reveal()
    where = f"{printable_path(finding.path)}:{finding.line}:{finding.column}"
    lines = [f"explain: {where} {finding.rule} ({finding.description})"]
    passed = []
    if rule is not None and rule.regex:
        origin = f"the rule pack {rule.source}" if rule.source else "a rule pack"
        lines.append(f"  found by: {origin}; keywords {', '.join(rule.keywords) or '(none)'}; its regex matched")
        if rule.min_entropy is not None:
            passed.append(f"entropy {shannon_entropy(value):.2f} >= {rule.min_entropy} (the rule's floor)")
        if rule.validator:
            passed.append(f"the `{rule.validator}` check (checksum/structure) accepted it")
        if rule.allowlist.stopwords or rule.allowlist.regexes:
            passed.append("the rule's own allowlist")
    else:
        facts = [f"{name} {printable_path(v)}" for name in ("kind", "key_path", "group")
                 if (v := finding.context_value(name)) is not None]
        lines.append(f"  found by: a structural detector (key {printable_path(finding.key or '-')}"
                     f"{'; ' + '; '.join(facts) if facts else ''})")
        passed.append("a secret-named key with a literal value that is not a reference, placeholder, "
                      "template, hash, UUID, public key, path, version or example")
        passed.append(f"length {len(value)} and entropy {shannon_entropy(value):.2f}, enough for that key")
    passed += ["the config's allowlist (stopwords, regexes, paths) and exclude",
               "no allow comment on its line or the line before"]
    lines.append("  passed: " + "; ".join(passed))
    return "\n".join(lines) + "\n"


# -- --explain-dropped ------------------------------------------------------------------------
def run_explain_dropped(args: argparse.Namespace, config: Config) -> int:
    for target in args.explain_dropped:
        sys.stdout.write(explain_line(target, config, args))
    return EXIT_CLEAN


def _target(text: str) -> tuple[str, int]:
    path, sep, line = text.rpartition(":")
    if not sep or not line.isdigit() or int(line) < 1:
        raise FatalError(f"--explain-dropped takes PATH:LINE (a line number from 1), got {text!r}")
    return path, int(line)


def explain_line(target: str, config: Config, args: argparse.Namespace | None = None) -> str:
    path, line = _target(target)
    head = f"explain {printable_path(path)}:{line}:"
    blob_or_reason = _read(path, config)
    if isinstance(blob_or_reason, str):
        return f"{head} not scanned: {blob_or_reason}\n"
    blob = blob_or_reason
    lines = blob.data.split(b"\n")
    if line > len(lines):
        return f"{head} the file has {len(lines)} lines\n"
    reported = _on_line(_scan(blob, config), line)
    if reported:
        return head + "".join(_reported(f, config, args) for f in reported)
    for reason, lifted in _suppressions(blob, line, config):
        found = _on_line(_scan(lifted[0], lifted[1]), line)
        if found:
            return head + "".join(f"\n  {f.rule} {f.redacted}: dropped by {reason}" for f in found) + "\n"
    return head + "\n" + _rule_checks(blob.data.split(b"\n")[line - 1], path, config)


def _read(path: str, config: Config) -> Blob | str:
    from secretshift.pipeline import PathFilter
    from secretshift.sources.files import FileEntry, read_blob

    if PathFilter(config).excluded(path):
        return "the path matches the config's `exclude` or `allowlist.paths` (or --exclude)"
    blob = read_blob(FileEntry(path, path), config.max_file_size)
    if blob is None:
        return "a binary file or a symbolic link"
    if not isinstance(blob, Blob):
        return blob.reason
    return blob


def _scan(blob: Blob, config: Config) -> list[Finding]:
    from secretshift.scanner.build import build_engine

    return build_engine(config, small=True).scan(blob)


def _on_line(findings: list[Finding], line: int) -> list[Finding]:
    return [f for f in findings if f.line <= line <= f.end_line]


def _reported(finding: Finding, config: Config, args: argparse.Namespace | None) -> str:
    text = f"\n  reported: {finding.rule} {finding.redacted}"
    entry = _baseline_entry(finding, config)
    if entry is not None:
        label = ("unlabelled" if entry.is_secret is None
                 else "labelled real, still to migrate" if entry.is_secret else "labelled a false positive")
        text += f" -- but the baseline accepts it ({label}), so a scan with the baseline drops it"
    return text + "\n" + _explain_one(finding, _rules_by_id(config).get(finding.rule)).split("\n", 1)[1]


def _baseline_entry(finding: Finding, config: Config) -> BaselineEntry | None:
    from secretshift.baseline_file import find_repo_root, root_relative
    from secretshift.triage import load_baseline_for

    root = find_repo_root(Path.cwd())
    baseline, _ = load_baseline_for(None, config, root)
    return baseline.match(root_relative(finding.path, root), finding) if baseline is not None else None


def _suppressions(blob: Blob, line: int, config: Config) -> list[tuple[str, tuple[Blob, Config]]]:
    """Each suppression, lifted alone: (what it is, the blob and config without it)."""
    out = []
    unmarked = _without_markers(blob.data)
    if unmarked != blob.data:
        out.append(("an allow comment (secretshift: allow / pragma: allowlist secret / gitleaks:allow)",
                    (blob._replace(data=unmarked), config)))
    if config.allowlist.stopwords or config.allowlist.regexes:
        open_list = config._replace(allowlist=Allowlist(paths=config.allowlist.paths))
        out.append(("the config's allowlist (stopwords / regexes)", (blob, open_list)))
    if config.disabled or config.enabled_only is not None:
        out.append(("rule selection (disable / enable / --disable-rule / --enable-rule)",
                    (blob, config._replace(disabled=frozenset(), enabled_only=None))))
    return out


def _without_markers(data: bytes) -> bytes:
    lowered = data.lower()
    for marker in _MARKERS:
        raw = marker.encode()
        start = lowered.find(raw)
        while start != -1:  # blanked, not removed: line and column numbers stay as they were
            data = data[:start] + b" " * len(raw) + data[start + len(raw):]
            lowered = lowered[:start] + b" " * len(raw) + lowered[start + len(raw):]
            start = lowered.find(raw, start + len(raw))
    return data


def _rule_checks(raw_line: bytes, path: str, config: Config) -> str:
    """No rule reports anything here even with every suppression lifted: say which checks the
    values on the line fail."""
    text = raw_line.decode("utf-8", "replace")
    lowered = text.lower()
    out = []
    for rule in _rules_by_id(config).values():
        if not rule.regex or not any(k in lowered for k in rule.keywords):
            continue
        out.append(_pack_rule_check(rule, text))
    generic = _generic_check(text, path)
    if generic:
        out.append(generic)
    if not out:
        out.append("  no rule's keyword is on this line, and it has no secret-named key with a literal value")
    return "\n".join(out) + "\n"


def _pack_rule_check(rule: Rule, text: str) -> str:
    from secretshift.scanner.regex import compile_text

    match = compile_text(rule.regex, f"rule {rule.id}").search(text)
    if match is None:
        return f"  {rule.id}: its keyword is here but its regex does not match (not this token's shape)"
    value = match.group(rule.secret_group) or ""
    shown = f"{redact(value)} (length {len(value)}, entropy {shannon_entropy(value):.2f})"
    if rule.min_entropy is not None and shannon_entropy(value) < rule.min_entropy:
        return f"  {rule.id}: {shown} is below the rule's entropy floor {rule.min_entropy}"
    if rule.validator:
        from secretshift.plugins.validators import VALIDATORS

        if not VALIDATORS[rule.validator](value):
            return f"  {rule.id}: {shown} fails the `{rule.validator}` check (checksum/structure): not a real token"
    return f"  {rule.id}: {shown} matches, but the rule's allowlist drops it (an example or known dummy)"


def _generic_check(text: str, path: str) -> str | None:
    """For a `key = value` / `key: value` line: is the key secret-named, and which of the
    value filters reject the value (the generic detector's own predicates)."""
    import re

    shape = re.search(r"""([A-Za-z_][\w.-]*)["']?\s*(?:=|:)\s*["']?([^"'\s,;]+)""", text)
    if shape is None:
        return None
    from secretshift.plugins import filters
    from secretshift.plugins.vocabulary import NONE, key_strength

    key, value = shape.group(1), shape.group(2)
    if key_strength(key) == NONE:
        return f"  generic: the key `{key}` is not secret-named, so its value is not judged"
    predicates: list[tuple[str, Callable[[str], bool]]] = [
        (name.removeprefix("is_").replace("_", " "), getattr(filters, name)) for name in dir(filters)
        if name.startswith(("is_", "looks_like", "mentions")) and callable(getattr(filters, name))
        and name not in ("is_lockfile", "is_generated_asset", "is_minified_line", "is_test_path", "is_doc_path")
    ]
    rejecting = [name for name, check in predicates if _holds(check, value)]
    shown = f"{redact(value)} (length {len(value)}, entropy {shannon_entropy(value):.2f})"
    if rejecting:
        return f"  generic: key `{key}` is secret-named; the value {shown} looks like: {', '.join(rejecting)}"
    where = " (a test or documentation path: the floors are higher)" if filters.is_test_path(path) or filters.is_doc_path(path) else ""
    return (f"  generic: key `{key}` is secret-named; the value {shown} is too short or too uniform "
            f"for a key of that strength{where}")


def _holds(check: Callable[[str], bool], value: str) -> bool:
    try:
        return bool(check(value))
    except TypeError:  # a predicate with another signature
        return False
