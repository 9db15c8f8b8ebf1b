"""plan_migration: a fresh scan of the targets -> a frozen :class:`Plan` (no secret values)."""
from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from secretshift.config import Config
from secretshift.errors import FatalError
from secretshift.migrate import iam
from secretshift.migrate.plan_file import FileRewrite, Plan, PlannedKey, PlannedSecret, SourceRef
from secretshift.migrate.naming import deconflict, render
from secretshift.migrate.preview import rewrite_file, sha256
from secretshift.migrate.settings import MigrateSettings
from secretshift.models import Finding

_TAG_VALUE_BAD = re.compile(r"[^\w .:/=+\-@]+", re.UNICODE)
_PY_SUFFIXES = (".py",)
# In source code each literal is its own secret (named after its variable), whatever `group`
# a detector reports; grouping is for configuration (a .env, a manifest, a config section).
CODE_KINDS = frozenset({
    "python", "javascript", "typescript", "go", "java", "csharp", "ruby", "php", "shell", "kotlin",
    "scala", "rust", "swift", "c", "cpp", "notebook",
})



def value_hash(finding: Finding) -> str:
    return sha256(finding.secret.reveal())


def file_kind(path: str, finding: Finding | None = None) -> str:
    kind = finding.context_value("kind") if finding is not None else None
    if kind:
        return kind
    name = path.rsplit("/", 1)[-1]
    if name == ".env" or name.startswith(".env.") or name.endswith(".env"):
        return "dotenv"
    if name.endswith(_PY_SUFFIXES):
        return "python"
    return name.rsplit(".", 1)[-1].lower() if "." in name else "text"


@dataclass(frozen=True)
class Target:
    path: str
    line: int | None = None


def parse_target(raw: str) -> Target:
    """`PATH` or `PATH:LINE` (a path that itself ends in `:digits` wins when it exists)."""
    head, sep, tail = raw.rpartition(":")
    if sep and tail.isdigit() and head and not os.path.exists(raw):
        return Target(head, int(tail))
    return Target(raw)


def repo_root(start: Path) -> Path:
    folder = start if start.is_dir() else start.parent
    proc = subprocess.run(["git", "-C", str(folder), "rev-parse", "--show-toplevel"],
                          capture_output=True, text=True, check=False)
    if proc.returncode == 0 and proc.stdout.strip():
        return Path(proc.stdout.strip()).resolve()
    return folder.resolve()


def source_repo(root: Path) -> str:
    proc = subprocess.run(["git", "-C", str(root), "remote", "get-url", "origin"],
                          capture_output=True, text=True, check=False)
    url = proc.stdout.strip() if proc.returncode == 0 else ""
    # A remote URL may carry credentials before the host: never put those in a tag.
    url = re.sub(r"//[^/@]*@", "//", url)
    return url or root.name


def scan_targets(targets: Sequence[Target], config: Config, root: Path) -> tuple[list[Finding], list[Finding]]:
    """(the findings selected by the targets, every finding in the files scanned): the second
    list masks values in diff context lines even when they are not migrated."""
    from dataclasses import replace

    from secretshift.pipeline import scan_paths

    found: dict[tuple[str, int, int], Finding] = {}
    every: dict[tuple[str, int, int], Finding] = {}
    for target in targets:
        path = Path(target.path)
        if not path.exists():
            raise FatalError(f"path not found: {target.path}")
        result = scan_paths([target.path], config)
        for finding in result.findings:
            absolute = (path / finding.path) if path.is_dir() else path
            rel = os.path.relpath(absolute.resolve(), root).replace(os.sep, "/")
            if rel.startswith("../"):
                raise FatalError(f"{target.path} is outside the repository {root}")
            finding = replace(finding, path=rel)
            every.setdefault((rel, finding.line, finding.column), finding)
            if target.line is not None and not finding.line <= target.line <= finding.end_line:
                continue
            found.setdefault((rel, finding.line, finding.column), finding)
    order = lambda f: (f.path, f.line, f.column)  # noqa: E731
    return sorted(found.values(), key=order), sorted(every.values(), key=order)


@dataclass
class _Group:
    label: str
    findings: list[Finding]


def _group_key(finding: Finding) -> tuple[str, str] | None:
    kind = file_kind(finding.path, finding)
    if kind == "dotenv":
        return f"file:{finding.path}", finding.path
    group = finding.context_value("group")
    if group and kind not in CODE_KINDS:
        return f"group:{finding.path}:{group}", group
    return None


def _json_key(finding: Finding, rule_keys: dict[str, str | None]) -> str:
    return finding.key or rule_keys.get(finding.rule) or finding.rule


def _tag(value: str) -> str:
    return _TAG_VALUE_BAD.sub("_", value)[:256]


def plan_migration(targets: Sequence[str], config: Config, settings: MigrateSettings) -> Plan:
    parsed = [parse_target(t) for t in (targets or ["."])]
    root = repo_root(Path(parsed[0].path).resolve() if Path(parsed[0].path).exists() else Path.cwd())
    findings, everything = scan_targets(parsed, config, root)
    if not findings:
        raise FatalError("nothing to migrate: the scan found no secrets in " + ", ".join(t.path for t in parsed), 1)
    app = settings.app or root.name
    from secretshift.scanner.build import all_rule_descriptions

    rule_keys = {r.id: r.key for r in all_rule_descriptions(config)}
    groups = _assign(findings, rule_keys)
    taken: set[str] = set()
    repo_tag = _tag(source_repo(root))
    secrets: list[PlannedSecret] = []
    for group_id in sorted(groups, key=lambda g: (groups[g].findings[0].path, groups[g].findings[0].line)):
        group = groups[group_id]
        name = deconflict(render(settings.name_template, app, settings.env, group.label), taken)
        secrets.append(_secret(name, group, settings, repo_tag, rule_keys))
    secrets = _point_duplicates(secrets, findings)
    files = _rewrites(root, secrets, everything, settings)
    warnings = tuple(f"{f.path}: left untouched: {f.refused}" for f in files if f.refused)
    requirements = tuple(sorted({r for f in files for r in f.requirements}))
    policy = iam.policy_document([iam.placeholder_arn(s.name) for s in secrets],
                                 {s.kms_key_id: "*" for s in secrets if s.kms_key_id})
    aws = tuple((k, v) for k, v in (("region", settings.region), ("profile", settings.profile),
                                    ("endpoint_url", settings.endpoint_url)) if v)
    return Plan(
        root=str(root), app=app, env=settings.env, secrets=tuple(secrets), files=tuple(files),
        iam_policy=policy, iam_policy_path=settings.iam_policy, runbook_path=settings.runbook,
        rewrite_settings=settings.rewrite, aws=aws, warnings=warnings, requirements=requirements,
    )


def _assign(findings: list[Finding], rule_keys: dict[str, str | None]) -> dict[str, _Group]:
    """Every distinct value gets ONE home group: the first structured group (a `.env`, a
    Kubernetes Secret, a config section) holding it, else a group of its own named after its key."""
    home: dict[str, str] = {}
    groups: dict[str, _Group] = {}
    for finding in findings:
        keyed = _group_key(finding)
        digest = value_hash(finding)
        if keyed is None or digest in home:
            continue
        home[digest] = keyed[0]
        groups.setdefault(keyed[0], _Group(keyed[1], [])).findings.append(finding)
    for finding in findings:
        digest = value_hash(finding)
        if digest in home:
            continue
        group_id = f"lone:{digest}"
        home[digest] = group_id
        groups[group_id] = _Group(_json_key(finding, rule_keys), [finding])
    return groups


def _secret(name: str, group: _Group, settings: MigrateSettings, repo_tag: str,
            rule_keys: dict[str, str | None]) -> PlannedSecret:
    keys: list[PlannedKey] = []
    used: set[str] = set()
    sources: list[SourceRef] = []
    for finding in group.findings:
        json_key = deconflict(_json_key(finding, rule_keys), used)
        digest = value_hash(finding)
        keys.append(PlannedKey(json_key, digest, (finding.rule,)))
        sources.append(_source(finding, name, json_key))
    rules = sorted({f.rule for f in group.findings})
    kinds = sorted({file_kind(f.path, f) for f in group.findings})
    rotation = settings.rotation_for(rules, kinds)
    paths = sorted({f.path for f in group.findings})
    tags = {
        "managed-by": "secretshift",
        "source-repo": repo_tag,
        "source-paths": _tag(" ".join(paths)),
        "rule": _tag(" ".join(rules)),
        "rotation-period-days": str(rotation.days),
        "rotation-mode": rotation.mode,
    }
    if settings.owner:
        tags["owner"] = _tag(settings.owner)
    for key, value in settings.tags:
        tags.setdefault(key, _tag(value))
    description = _description(paths, rules)
    return PlannedSecret(
        name=name, group=group.label, description=description, keys=tuple(keys),
        sources=tuple(sources), tags=tuple(sorted(tags.items())), kms_key_id=settings.kms_key_id,
        rotation_days=rotation.days, rotation_mode=rotation.mode,
        rotation_lambda=rotation.lambda_arn if rotation.mode == "lambda" else None, owner=settings.owner,
    )


def _description(paths: Sequence[str], rules: Sequence[str]) -> str:
    return f"Migrated by secretshift from {', '.join(paths)} ({', '.join(rules)})"[:2048]


def _source(finding: Finding, name: str, json_key: str) -> SourceRef:
    return SourceRef(
        path=finding.path, line=finding.line, column=finding.column, end_line=finding.end_line,
        end_column=finding.end_column, value_hash=value_hash(finding), secret_name=name,
        json_key=json_key, rule=finding.rule, key=finding.key,
        key_path=finding.context_value("key_path"), kind=file_kind(finding.path, finding),
        encoding=finding.context_value("encoding"),
    )


def _point_duplicates(secrets: list[PlannedSecret], findings: list[Finding]) -> list[PlannedSecret]:
    """Add every other place a homed value occurs as a source of its home secret."""
    from dataclasses import replace

    homes = {k.value_hash: (s.name, k.json_key) for s in secrets for k in s.keys}
    placed = {(r.path, r.line, r.column) for s in secrets for r in s.sources}
    extra: dict[str, list[SourceRef]] = {}
    for finding in findings:
        if (finding.path, finding.line, finding.column) in placed:
            continue
        name, json_key = homes[value_hash(finding)]
        extra.setdefault(name, []).append(_source(finding, name, json_key))
    out = []
    for secret in secrets:
        more = extra.get(secret.name, [])
        if more:
            sources = tuple(sorted((*secret.sources, *more), key=lambda r: (r.path, r.line, r.column)))
            paths = sorted({r.path for r in sources})
            rules = sorted({r.rule for r in sources})
            tags = tuple((k, _tag(" ".join(paths)) if k == "source-paths" else v) for k, v in secret.tags)
            secret = replace(secret, sources=sources, tags=tags, description=_description(paths, rules))
        out.append(secret)
    return out


def _rewrites(root: Path, secrets: list[PlannedSecret], findings: list[Finding],
              settings: MigrateSettings) -> list[FileRewrite]:
    by_file: dict[str, list[SourceRef]] = {}
    for secret in secrets:
        for ref in secret.sources:
            by_file.setdefault(ref.path, []).append(ref)
    values_by_file: dict[str, list[Finding]] = {}
    for finding in findings:
        values_by_file.setdefault(finding.path, []).append(finding)
    out = []
    for path in sorted(by_file):
        refs = sorted(by_file[path], key=lambda r: (r.line, r.column))
        text = (root / path).read_bytes().decode("utf-8", "surrogateescape")
        out.append(rewrite_file(path, text, refs, values_by_file.get(path, []), settings))
    return out
