"""plan_migration: a fresh scan of the targets -> a frozen :class:`Plan` (no secret values)."""
from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from secretshift.config import Config
from secretshift.errors import FatalError
from secretshift.migrate import iam, ledger
from secretshift.migrate.naming import deconflict, render, stable_names
from secretshift.migrate.plan_file import FileRewrite, LeftSite, Plan, PlannedKey, PlannedSecret, SourceRef
from secretshift.migrate.preview import digest, rewrite_file
from secretshift.migrate.select import is_reference, is_test_path, pair_prefix
from secretshift.migrate.settings import MigrateSettings
from secretshift.models import Finding
from secretshift.plugins.filekind import KINDS

_TAG_VALUE_BAD = re.compile(r"[^\w .:/=+\-@]+", re.UNICODE)
_PY_SUFFIXES = (".py",)
# In source code each literal is its own secret (named after its variable), whatever `group`
# a detector reports; grouping is for configuration (a .env, a manifest, a config section).
CODE_KINDS = frozenset(kind.name for kind in KINDS if kind.literals)



def value_hash(finding: Finding) -> str:
    return digest(finding.secret.reveal())


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
            finding = finding._replace(path=rel)
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


def _group_label(finding: Finding, group: str) -> str:
    """A config group's name without the file path a detector may prefix it with: a section of
    `config/worker.toml` is `worker/database`, a whole CloudFormation file is `database`."""
    stem = _stem(finding.path)
    if group == finding.path:
        return stem
    if group.startswith(finding.path):
        section = group[len(finding.path):].strip("-_:./ ")
        return f"{stem}/{section}" if section and section != stem else stem
    return group


def _stem(path: str) -> str:
    name = path.rsplit("/", 1)[-1].lstrip(".")
    stem = name.split(".", 1)[0] if "." in name else name
    return stem or "config"


def repo_name(root: Path) -> str:
    """The repository's name (its origin's last path part, else its directory): part of every
    default secret name, so two repositories with the same app/env never collide."""
    url = source_repo(root)
    tail = url.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    return tail.removesuffix(".git") or root.name


def plan_migration(targets: Sequence[str], config: Config, settings: MigrateSettings, *,
                   include_tests: bool = False, store_unreferenced: bool = False) -> Plan:
    parsed = [parse_target(t) for t in (targets or ["."])]
    root = repo_root(Path(parsed[0].path).resolve() if Path(parsed[0].path).exists() else Path.cwd())
    found, everything = scan_targets(parsed, config, root)
    if not found:
        raise FatalError("nothing to migrate: the scan found no secrets in " + ", ".join(t.path for t in parsed), 1)
    findings = _as_read(_url_sites(root, [f for f in found if not is_reference(f.secret.reveal(), f.key)]))
    tests = [f for f in findings if is_test_path(f.path)] if not include_tests else []
    findings = [f for f in findings if f not in tests]
    if not findings:
        raise FatalError("nothing to migrate: every finding is a reference or under a test path "
                         "(pass --include-tests to migrate test fixtures)", 1)
    repo = repo_name(root)
    app = settings.app or repo
    from secretshift.scanner.build import all_rule_descriptions

    rule_keys = {r.id: r.key for r in all_rule_descriptions(config)}
    groups = _assign(findings, rule_keys)
    template = settings.name_template or ("{repo}/{env}/{group}" if app == repo else "{repo}/{app}/{env}/{group}")
    names = stable_names({
        gid: (render(template, app, settings.env, g.label, repo), _stem(g.findings[0].path),
              f"{g.findings[0].path}:{g.label}")
        for gid, g in groups.items()
    })
    names = ledger.reuse(ledger.read(root, settings.iam_policy), groups_sites(groups), names)
    repo_tag = _tag(source_repo(root))
    secrets = [_secret(names[gid], groups[gid], settings, repo_tag, rule_keys)
               for gid in sorted(groups, key=lambda g: (groups[g].findings[0].path, groups[g].findings[0].line))]
    secrets = _point_duplicates(secrets, findings)
    values = {value_hash(f): f.secret.reveal() for f in findings}
    secrets = _add_copies(root, secrets, values, everything)
    files, left_refs = _rewrites(root, secrets, everything, settings, values)
    secrets = _prune(secrets, left_refs, store_unreferenced)
    left = tuple(sorted(
        [LeftSite(r.path, r.line, r.value_hash, f"{r.secret_name}#{r.json_key}", reason,
                  "copy" if r.rule == COPY_RULE else "refused", ledger.site_key(r.key_path, r.key, r.rule))
         for r, reason in left_refs]
        + [LeftSite(f.path, f.line, value_hash(f), f.key or f.rule,
                    "under a test path: not migrated (pass --include-tests to migrate it)", "test-path")
           for f in tests],
        key=lambda s: (s.path, s.line, s.label)))
    warnings = tuple(f"{f.path}: left untouched: {f.refused}" for f in files if f.refused)
    requirements = tuple(sorted({r for f in files if f.planned_sha256 for r in f.requirements}))
    rewriter = {f.path: f.rewriter for f in files}
    by_consumer: dict[str, list[PlannedSecret]] = {}
    for secret in secrets:
        for consumer in sorted({iam.consumer_of(rewriter.get(r.path)) for r in secret.sources}):
            by_consumer.setdefault(consumer, []).append(secret)
    policy = json.dumps({
        iam.policy_path(settings.iam_policy, consumer): json.loads(iam.policy_document(
            [iam.placeholder_arn(s.name) for s in read], {s.kms_key_id: "*" for s in read if s.kms_key_id}))
        for consumer, read in sorted(by_consumer.items())
    }, indent=2) + "\n"
    aws = tuple((k, v) for k, v in (("region", settings.region), ("profile", settings.profile),
                                    ("endpoint_url", settings.endpoint_url)) if v)
    import secrets as random_source

    return Plan(
        root=str(root), app=app, env=settings.env, secrets=tuple(secrets), files=tuple(files),
        iam_policy=policy, iam_policy_path=settings.iam_policy, runbook_path=settings.runbook,
        rewrite_settings=settings.rewrite, aws=aws, warnings=warnings, requirements=requirements,
        left=left, request_salt=random_source.token_hex(16),
    )


COPY_RULE = "copy"


def groups_sites(groups: dict[str, _Group]) -> dict[str, list[tuple[str, str]]]:
    """group id -> the identities of its sites (path, key), as the name ledger knows them."""
    return {gid: [(f.path, ledger.site_key(f.context_value("key_path"), f.key, f.rule)) for f in g.findings]
            for gid, g in groups.items()}


_ASSIGNMENT = re.compile(r"""(?P<key>[A-Za-z_][\w.\-]*)["']?\s*(?:=|:)\s*(?P<q>["']?)(?P<value>[^"'\s#;]+)(?P=q)""")


def _as_read(findings: list[Finding]) -> list[Finding]:

    from secretshift.migrate.preview import as_read
    from secretshift.models import SecretValue

    out = []
    for finding in findings:
        value = finding.secret.reveal()
        read = as_read(finding.path, value)
        out.append(finding if read == value else finding._replace(secret=SecretValue(read)))
    return out


def _url_sites(root: Path, findings: list[Finding]) -> list[Finding]:
    """A password inside a URL: in `.env` and config files the whole URL is the credential and
    moves as one value under its variable's name; in code the password part moves (the rewriter
    composes the URL at run time) under `<VARIABLE>_PASSWORD`, never the URL's user name."""

    from secretshift.models import SecretValue

    lines: dict[str, list[str]] = {}
    out = []
    for finding in findings:
        if not (finding.rule.endswith("-url-password") or finding.rule == "http-basic-auth-url") \
                or finding.line != finding.end_line:
            out.append(finding)
            continue
        if finding.path not in lines:
            lines[finding.path] = (root / finding.path).read_text("utf-8", "surrogateescape").splitlines()
        text = lines[finding.path][finding.line - 1] if finding.line <= len(lines[finding.path]) else ""
        match = next((m for m in _ASSIGNMENT.finditer(text)
                      if m.start("value") < finding.column <= m.end("value")), None)
        if match is None:
            out.append(finding)
            continue
        variable = match.group("key").rsplit(".", 1)[-1]
        if file_kind(finding.path, finding) in CODE_KINDS:
            key = variable if "PASS" in variable.upper() else f"{variable}_PASSWORD"
            out.append(finding._replace(key=key))
        else:
            out.append(finding._replace(key=variable, column=match.start("value") + 1,
                               end_column=match.end("value") + 1, secret=SecretValue(match.group("value"))))
    return out


def _assign(findings: list[Finding], rule_keys: dict[str, str | None]) -> dict[str, _Group]:
    """Every distinct value gets ONE home group: the first structured group (a `.env`, a
    Kubernetes Secret, a config section) holding it, else a group of its own named after its key;
    an identifier found beside its secret (AWS key id + secret key, client id + secret, user +
    password) joins the secret's group, so the pair rotates together."""
    home: dict[str, str] = {}
    groups: dict[str, _Group] = {}
    for finding in findings:
        keyed = _group_key(finding)
        digest_ = value_hash(finding)
        if keyed is None or digest_ in home:
            continue
        home[digest_] = keyed[0]
        groups.setdefault(keyed[0], _Group(_group_label(finding, keyed[1]), [])).findings.append(finding)
    for finding in findings:
        digest_ = value_hash(finding)
        if digest_ in home:
            continue
        partner = _pair_home(finding, findings, home, groups)
        if partner is not None:
            home[digest_] = partner
            groups[partner].findings.append(finding)
            continue
        group_id = f"lone:{finding.path}:{_json_key(finding, rule_keys)}:{digest_}"
        home[digest_] = group_id
        groups[group_id] = _Group(_json_key(finding, rule_keys), [finding])
    return groups


def _pair_home(finding: Finding, findings: list[Finding], home: dict[str, str],
               groups: dict[str, _Group]) -> str | None:
    """The group of the secret half of ``finding``'s credential pair, creating a pair group for
    two lone code literals; None when ``finding`` is no half of a pair in its file."""
    for secret_side in (False, True):
        prefix = pair_prefix(finding.key, secret_side)
        if prefix is None:
            continue
        for other in findings:
            if other is finding or other.path != finding.path or pair_prefix(other.key, not secret_side) != prefix:
                continue
            other_home = home.get(value_hash(other))
            if other_home is not None:
                if other_home.startswith("lone:"):
                    pair_id = f"pair:{finding.path}:{prefix}"
                    moved = groups.pop(other_home)
                    groups[pair_id] = _Group(f"{prefix}-credentials" if prefix else "credentials", moved.findings)
                    for f in moved.findings:
                        home[value_hash(f)] = pair_id
                    return pair_id
                return other_home
            pair_id = f"pair:{finding.path}:{prefix}"
            groups.setdefault(pair_id, _Group(f"{prefix}-credentials" if prefix else "credentials", []))
            return pair_id
    return None


def _add_copies(root: Path, secrets: list[PlannedSecret], values: dict[str, str],
                everything: list[Finding]) -> list[PlannedSecret]:
    """Every other place in the repository a migrated value is written (a README, a chart's
    values, a second module the scan did not flag) becomes a source too: rewritten where its
    file's rewriter can, else listed as left."""
    from dataclasses import replace

    from secretshift.migrate.leftovers import find_values

    placed = {(r.path, r.line) for s in secrets for r in s.sources} | {(f.path, f.line) for f in everything}
    homes = {k.value_hash: (s.name, k.json_key) for s in secrets for k in s.keys}
    labelled = {h: v for h, v in values.items() if h in homes}
    extra: dict[str, list[SourceRef]] = {}
    for site in find_values(root, labelled):
        if (site.path, site.line) in placed or site.form != "plain":
            continue
        name, json_key = homes[site.label]
        extra.setdefault(name, []).append(SourceRef(
            path=site.path, line=site.line, column=site.column, end_line=site.end_line,
            end_column=site.end_column, value_hash=site.label, secret_name=name, json_key=json_key,
            rule=COPY_RULE, key=_variable_at(root, site.path, site.line, site.column), kind=file_kind(site.path)))
    out = []
    for secret in secrets:
        more = extra.get(secret.name)
        if more:
            secret = replace(secret, sources=tuple(sorted((*secret.sources, *more),
                                                          key=lambda r: (r.path, r.line, r.column))))
        out.append(secret)
    return out


def _variable_at(root: Path, path: str, line: int, column: int) -> str | None:
    """The variable a copy is assigned to on its line (`export DATABASE_URL=...` -> DATABASE_URL),
    so a later scan that flags the same site finds it in the name ledger under the same key."""
    try:
        text = (root / path).read_text("utf-8", "surrogateescape").splitlines()[line - 1]
    except (OSError, IndexError):
        return None
    match = next((m for m in _ASSIGNMENT.finditer(text) if m.start("value") < column <= m.end("value")), None)
    return match.group("key").rsplit(".", 1)[-1] if match else None


def _prune(secrets: list[PlannedSecret], left: Sequence[tuple[SourceRef, str]],
           store_unreferenced: bool) -> list[PlannedSecret]:
    """Only what will really move: left sites leave their secret's sources; a key no rewritten
    reference reads leaves the secret, and a secret no reference reads is not created (unless
    the user asks to store it anyway)."""
    from dataclasses import replace

    gone = {(r.path, r.line, r.column) for r, _ in left}
    out = []
    for secret in secrets:
        sources = tuple(r for r in secret.sources if (r.path, r.line, r.column) not in gone)
        if store_unreferenced:
            out.append(replace(secret, sources=sources))
            continue
        read = {r.json_key for r in sources}
        keys = tuple(k for k in secret.keys if k.json_key in read)
        if keys:
            out.append(replace(secret, sources=sources, keys=keys))
    return out


def _rewrites(root: Path, secrets: list[PlannedSecret], findings: list[Finding], settings: MigrateSettings,
              values: dict[str, str]) -> tuple[list[FileRewrite], list[tuple[SourceRef, str]]]:
    by_file: dict[str, list[SourceRef]] = {}
    for secret in secrets:
        for ref in secret.sources:
            by_file.setdefault(ref.path, []).append(ref)
    values_by_file: dict[str, list[Finding]] = {}
    for finding in findings:
        values_by_file.setdefault(finding.path, []).append(finding)
    files: list[FileRewrite] = []
    left: list[tuple[SourceRef, str]] = []
    for path in sorted(by_file):
        refs = sorted(by_file[path], key=lambda r: (r.line, r.column))
        text = (root / path).read_bytes().decode("utf-8", "surrogateescape")
        mine = {r.value_hash: values[r.value_hash] for r in refs if r.value_hash in values}
        from dataclasses import replace

        from secretshift.migrate.context import with_related

        file_settings = replace(settings, rewrite=with_related(settings.rewrite, root, path))
        outcome = rewrite_file(path, text, refs, values_by_file.get(path, []), file_settings, mine)
        files.append(outcome.file)
        left.extend(outcome.left)
    return files, left
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


