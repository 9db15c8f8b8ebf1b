"""apply: re-read and verify every planned value, make ASM hold them, then rewrite the files.

Order matters: verification first (any stale file refuses the whole apply, nothing written
anywhere); then every AWS call; only when all succeeded, the file writes — atomic per file and
all-or-nothing across files. A re-run of the same plan converges and changes nothing.
"""
from __future__ import annotations

import base64
import binascii
import os
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any
from pathlib import Path

from secretshift.errors import EXIT_CLEAN, EXIT_FINDINGS, FatalError
from secretshift.migrate import iam
from secretshift.migrate.plan_file import Plan, PlannedSecret, SourceRef
from secretshift.migrate.preview import as_read, sha256
from secretshift.migrate.rewriters import registry
from secretshift.migrate.rewriters.base import RewriteRefused, RewriteResult, char_span
from secretshift.migrate.store import AwsSettings, Ensured, SecretStore
from secretshift.models import Finding


# apply did everything it could, but plaintext is left: sites it refused, copies it could not
# rewrite, or a migrated value still found somewhere in the repository. Each site is listed.
EXIT_INCOMPLETE = 3


@dataclass(frozen=True)
class ApplyOptions:
    aws: AwsSettings
    yes: bool = False
    dry_run: bool = False
    update_existing: bool = False
    write_replace_file: str | None = None


@dataclass(frozen=True)
class _Verified:
    values: dict[tuple[str, str], str]  # (secret name, json key) -> value
    pending: dict[str, str]  # path -> current text, for files still to rewrite
    done: tuple[str, ...]  # files an earlier apply already rewrote


def inside(root: Path, rel: str) -> Path:
    """``root / rel``, refusing a path that leaves the repository (a hand-edited plan file)."""
    target = root / rel
    resolved = target.parent.resolve() / target.name
    if os.path.isabs(rel) or not resolved.is_relative_to(root.resolve()):
        raise FatalError(f"refusing to touch {rel!r}: it is outside the repository {root}")
    return target


def verify(plan: Plan, root: Path) -> _Verified:
    """Re-read every planned value and match it by hash. Raise (exit 1) naming every stale file."""
    refs_by_file: dict[str, list[SourceRef]] = {}
    for secret in plan.secrets:
        for ref in secret.sources:
            refs_by_file.setdefault(ref.path, []).append(ref)
    planned = {f.path: f for f in plan.files}
    values: dict[tuple[str, str], str] = {}
    pending: dict[str, str] = {}
    done: list[str] = []
    stale: list[str] = []
    staying: dict[str, set[str]] = {}  # path -> hashes of values the plan leaves in that file
    for site in plan.left:
        staying.setdefault(site.path, set()).add(site.value_hash)
    for path, refs in sorted(refs_by_file.items()):
        try:
            text = inside(root, path).read_bytes().decode("utf-8", "surrogateescape")
        except OSError:
            stale.append(f"{path} (missing)")
            continue
        entry = planned.get(path)
        if entry is not None and entry.planned_sha256 and sha256(text) == entry.planned_sha256:
            done.append(path)
            continue
        if entry is not None and sha256(text) == entry.original_sha256:
            found = _read_values(root, path, text, refs)
            if found is None:
                stale.append(path)
                continue
            values.update(found)
            pending[path] = text
        elif _still_holds(root, path, {r.value_hash for r in refs} - staying.get(path, set())):
            stale.append(path)
        else:
            done.append(path)
    if stale:
        raise FatalError(
            "refusing to apply: changed since the plan was made: " + ", ".join(stale)
            + "; nothing was written; re-run `secretshift migrate plan`", EXIT_FINDINGS,
        )
    return _Verified(values, pending, tuple(done))


def _read_values(root: Path, path: str, text: str, refs: Sequence[SourceRef]) -> dict[tuple[str, str], str] | None:
    out: dict[tuple[str, str], str] = {}
    rescanned: dict[tuple[int, int], str] | None = None
    for ref in refs:
        try:
            start, end = char_span(text, ref.reference())
        except RewriteRefused:
            return None
        raw = text[start:end]
        candidates = [raw, as_read(path, raw)]
        if ref.encoding == "base64":
            try:
                candidates.insert(0, base64.b64decode(raw, validate=True).decode("utf-8"))
            except (binascii.Error, UnicodeDecodeError):
                pass
        value = next((c for c in candidates if sha256(c) == ref.value_hash), None)
        if value is None:
            # The detector's value may differ from the raw span (escapes): ask the scanner again.
            if rescanned is None:
                rescanned = {(f.line, f.column): as_read(path, f.secret.reveal()) for f in _scan_file(root, path)}
            value = rescanned.get((ref.line, ref.column))
            if value is None or sha256(value) != ref.value_hash:
                return None
        out[(ref.secret_name, ref.json_key)] = value
    return out


def _scan_file(root: Path, path: str) -> list[Finding]:
    from secretshift.config import load_config
    from secretshift.pipeline import scan_paths

    config = load_config(None, root)
    return list(scan_paths([str(root / path)], config, use_git=False).findings)


def _still_holds(root: Path, path: str, hashes: set[str]) -> bool:
    if not hashes:
        return False
    return any(sha256(as_read(path, f.secret.reveal())) in hashes for f in _scan_file(root, path))


def _rewrite(plan: Plan, path: str, text: str, arns: Mapping[str, str],
             values: Mapping[tuple[str, str], str]) -> RewriteResult | None:
    entry = next(f for f in plan.files if f.path == path)
    if entry.refused or entry.rewriter is None:
        return None
    rewriter = next((r for r in registry() if r.name == entry.rewriter), None)
    if rewriter is None:
        raise FatalError(f"{path}: the plan names the rewriter {entry.rewriter!r}, which this secretshift lacks")
    refs = sorted((r.reference() for s in plan.secrets for r in s.sources if r.path == path),
                  key=lambda r: (r.line, r.column))
    try:
        from secretshift.migrate.context import related_files

        settings = replace(plan.rewrite_settings, secret_arns=dict(arns), related=related_files(Path(plan.root), path))
        return rewriter.rewrite(path, text, refs, settings)
    except RewriteRefused as exc:
        message = str(exc)
        for value in sorted(values.values(), key=len, reverse=True):
            message = message.replace(value, "<secret>")  # a rewriter's message must not carry one
        raise FatalError(f"{path}: {message}; nothing was written") from None


def apply_plan(plan: Plan, options: ApplyOptions, confirm: Callable[[str], bool],
               out: Callable[[str], None]) -> int:
    root = Path(plan.root)
    if not root.is_dir():
        raise FatalError(f"the plan's repository {plan.root} does not exist")
    if options.write_replace_file and not options.dry_run:
        target = Path(options.write_replace_file).resolve()
        if target == root.resolve() or root.resolve() in target.parents:
            raise FatalError(f"--write-replace-file must be outside the repository ({root}): it holds the values")
    checked = verify(plan, root)
    for path in checked.pending:
        _rewrite(plan, path, checked.pending[path], {}, checked.values)  # fail before AWS if a rewrite cannot happen
    values_by_secret = {
        s.name: {k.json_key: checked.values[(s.name, k.json_key)] for k in s.keys if (s.name, k.json_key) in checked.values}
        for s in plan.secrets
    }
    if not options.dry_run and not options.yes:
        question = (f"Create/confirm {len(plan.secrets)} secret(s) in AWS Secrets Manager and rewrite "
                    f"{len([p for p in checked.pending if _has_rewriter(plan, p)])} file(s) in {root}?")
        if not confirm(question):
            out("apply cancelled; nothing was changed")
            return EXIT_FINDINGS
    store = SecretStore(options.aws)
    ensured: list[Ensured] = []
    try:
        for secret in plan.secrets:
            values = values_by_secret[secret.name]
            complete = len(values) == len(secret.keys)
            gone = tuple(sorted({r.path for r in secret.sources if r.path in checked.done}))
            ensured.append(store.ensure(secret, values, complete, options.update_existing, options.dry_run,
                                        plan.request_salt, gone))
        kms_keys = {store.kms_key_arn(k): "" for k in sorted({e.kms_key_id for e in ensured if e.kms_key_id})}
    except FatalError as exc:
        made = [e.name for e in ensured if e.action in ("created", "updated")]
        note = f"; already done in ASM: {', '.join(made)} (a re-run converges)" if made else ""
        raise FatalError(f"{exc}; no file was changed{note}", exc.exit_code) from None
    for result in ensured:
        out(f"secret {result.name}: {result.action}" + (f" ({result.arn})" if result.arn else ""))
    arns = {e.name: e.arn for e in ensured if e.arn}
    region = next((a.split(":")[3] for a in arns.values()), options.aws.region or "*")
    # Until every secret has an ARN (a dry run), rewriters preview with placeholders.
    known = arns if len(arns) == len(plan.secrets) else {}
    writes = _file_writes(plan, root, checked, known, {k: region for k in kms_keys}, out)
    if options.dry_run:
        for path in sorted(writes):
            out(f"would write {path}")
        for site in plan.left:
            out(f"would leave: {site.path}:{site.line} ({site.label}): {site.reason}")
        out("dry run: nothing was written")
        return 0
    changed = write_all(root, writes)
    for path in sorted(writes):
        out(f"{'wrote' if path in changed else 'unchanged'} {path}")
    if not changed:
        out("nothing to change: the plan is already applied")
    _follow_up(plan, root, checked, options, out)
    return _honest_exit(plan, root, checked, out)


def _honest_exit(plan: Plan, root: Path, checked: _Verified, out: Callable[[str], None]) -> int:
    """Search the whole repository for every migrated value (as written and base64): exit 3
    listing each site still holding one, and each site the plan left (refused, copies)."""
    from secretshift.migrate.leftovers import MIN_LENGTH, find_values

    labelled = {f"{name}#{key}": value for (name, key), value in checked.values.items()}
    still = find_values(root, labelled)
    left = [s for s in plan.left if s.kind != "test-path"]
    for site in plan.left:
        if site.kind == "test-path":
            out(f"not migrated: {site.path}:{site.line} ({site.label}): {site.reason}")
    listed = {(s.path, s.line) for s in left}
    for site in left:
        out(f"left: {site.path}:{site.line} ({site.label}): {site.reason}")
    extra = [s for s in still if (s.path, s.line) not in listed]
    for found in extra:
        how = " (base64-encoded)" if found.form == "base64" else ""
        out(f"left: {found.path}:{found.line} ({found.label}): still holds the migrated value{how}; "
            "replace it with the lookup used elsewhere, or remove it")
    short = sorted(label for label, value in labelled.items() if len(value) < MIN_LENGTH)
    if short:
        out(f"note: values shorter than {MIN_LENGTH} characters are not searched for ({', '.join(short)})")
    if left or extra:
        out(f"incomplete: {len(left) + len(extra)} site(s) still hold plaintext (listed above); exit {EXIT_INCOMPLETE}")
        return EXIT_INCOMPLETE
    return EXIT_CLEAN


def _has_rewriter(plan: Plan, path: str) -> bool:
    return any(f.path == path and f.rewriter and not f.refused for f in plan.files)


def _file_writes(plan: Plan, root: Path, checked: _Verified, arns: Mapping[str, str],
                 kms_keys: Mapping[str, str], out: Callable[[str], None]) -> dict[str, str]:
    from secretshift.migrate.deps import plan_dependencies
    from secretshift.migrate.runbook import runbook_text

    from secretshift.migrate.deps import NPM_PREFIX, npm_dependencies

    writes: dict[str, str] = {}
    needed: set[str] = set()
    npm: dict[str, set[str]] = {}  # requirement -> the files that need it
    for path, text in sorted(checked.pending.items()):
        result = _rewrite(plan, path, text, arns, checked.values)
        if result is None:
            continue
        writes[path] = result.text
        needed.update(r for r in result.requirements if not r.startswith(NPM_PREFIX))
        for requirement in result.requirements:
            if requirement.startswith(NPM_PREFIX):
                npm.setdefault(requirement, set()).add(path)
        for extra, content in result.extra_files.items():
            if not (root / extra).exists():
                writes[extra] = content
    if checked.done:
        needed.update(r for f in plan.files if f.path in checked.done for r in f.requirements
                      if not r.startswith(NPM_PREFIX))
    for requirement, sources in sorted(npm.items()):
        for package_json, (text, added) in npm_dependencies(root, sorted(sources), [requirement], writes).items():
            writes[package_json] = text
            out(f"dependencies: added {', '.join(added)} to {package_json}")
    deps = plan_dependencies(root, sorted(needed))
    if deps.path and deps.text is not None:
        writes[deps.path] = deps.text
        out(f"dependencies: added {', '.join(deps.added)} to {deps.path}")
    if deps.missing:
        out(f"dependencies: the rewritten code needs {', '.join(deps.missing)}; declare them in your project")
    edit = _baseline_edit(root, plan, checked, set(writes))
    if edit is not None:
        writes[edit[0]] = edit[1]
        out(f"baseline: {edit[2]} migrated entr{'y' if edit[2] == 1 else 'ies'} removed from {edit[0]}")
    from secretshift.migrate import ledger

    ledger_path = ledger.path_for(plan.iam_policy_path)
    writes[ledger_path] = ledger.render(plan, ledger.read(root, plan.iam_policy_path))
    for consumer, secrets_read in sorted(consumers(plan).items()):
        rel = iam.policy_path(plan.iam_policy_path, consumer)
        policy_file = root / rel
        existing = policy_file.read_text("utf-8") if policy_file.is_file() and not policy_file.is_symlink() else None
        secret_arns = [arns.get(s.name) or iam.placeholder_arn(s.name) for s in secrets_read]
        keys = {k: r for k, r in kms_keys.items() if any(_same_kms(k, s.kms_key_id) for s in secrets_read)}
        writes[rel] = iam.policy_document(secret_arns, keys, existing)
        out(f"IAM policy for {consumer} ({len(secrets_read)} secret(s)): {rel}")
    manual = [s for s in plan.secrets if s.rotation_mode == "manual"]
    if manual:
        runbook = root / plan.runbook_path
        writes[plan.runbook_path] = runbook_text(runbook.read_text("utf-8") if runbook.is_file() else None, manual)
        out(f"rotation runbook ({len(manual)} secret(s) rotated by hand): {plan.runbook_path}")
    return writes


def consumers(plan: Plan) -> dict[str, list[PlannedSecret]]:
    """consumer kind -> the secrets it reads (a secret read from two kinds of place is in both)."""
    rewriter = {f.path: f.rewriter for f in plan.files}
    out: dict[str, list[PlannedSecret]] = {}
    for secret in plan.secrets:
        for consumer in sorted({iam.consumer_of(rewriter.get(r.path)) for r in secret.sources}):
            out.setdefault(consumer, []).append(secret)
    return out


def _same_kms(arn: str, key_id: str | None) -> bool:
    return bool(key_id) and (arn == key_id or arn.rsplit("/", 1)[-1] == str(key_id).rsplit("/", 1)[-1])


def write_all(root: Path, writes: Mapping[str, str]) -> list[str]:
    """Write every file or none, through the one safe-write path (no symlink is followed, nothing
    lands in .git/ or outside the repository): every new content goes to a temp file beside its
    target first; only when all are prepared are they moved into place one by one; on any failure
    the files already replaced get their old content back. Unchanged files are not touched."""
    from secretshift import safe_write

    changes: list[tuple[Path, str, bytes | None]] = []
    for rel, text in sorted(writes.items()):
        target = inside(root, rel)
        old = target.read_bytes() if target.is_file() and not target.is_symlink() else None
        new = text.encode("utf-8", "surrogateescape")
        if old != new:
            changes.append((target, rel, old))
    pending: list[tuple[safe_write.PendingWrite, Path, bytes | None]] = []
    backups: dict[Path, Path] = {}  # target -> a hard link to its old inode
    done: list[tuple[Path, bytes | None]] = []
    created: list[Path] = []  # directories this call made
    try:
        for target, rel, old in changes:
            missing = [p for p in reversed(target.parents) if not p.exists()]
            data = writes[rel].encode("utf-8", "surrogateescape")
            pending.append((safe_write.prepare(target, data, root=root, origin=safe_write.PathOrigin.FROM_REPOSITORY),
                            target, old))
            created.extend(missing)
        for write, target, old in pending:
            if old is not None:
                # A hard link keeps the old content without writing it again: restoring is then
                # a rename, which needs no free space (the failure may be a full disk).
                backup = target.with_name(f".{target.name}.secretshift-{secrets.token_hex(8)}-old")
                try:
                    os.link(target, backup, follow_symlinks=False)
                    backups[target] = backup
                except OSError:
                    pass  # restored from memory instead
            write.commit()
            done.append((target, old))
    except (OSError, FatalError) as exc:
        unrestored = _restore(done, backups)
        committed = {t for t, _ in done}
        for write, target, _ in pending:
            if target not in committed:
                write.discard()
        for backup in backups.values():
            _quietly(backup.unlink, missing_ok=True)
        for folder in reversed(created):
            _quietly(folder.rmdir)
        state = (f"could not restore {', '.join(unrestored)} (restore from git)" if unrestored
                 else "every file was restored")
        reason = f"cannot write {exc.filename or 'a file'}: {exc.strerror}" if isinstance(exc, OSError) else str(exc)
        raise FatalError(f"{reason}; {state}; the secrets exist in ASM and a re-run converges") from None
    for backup in backups.values():
        _quietly(backup.unlink, missing_ok=True)
    return [rel for _, rel, _ in changes]


def _restore(done: list[tuple[Path, bytes | None]], backups: Mapping[Path, Path]) -> list[str]:
    """Put back what ``write_all`` replaced; the paths it could not restore."""
    failed = []
    for target, old in reversed(done):
        try:
            if old is None:
                target.unlink(missing_ok=True)
            elif target in backups:
                os.replace(backups[target], target)
            else:
                target.write_bytes(old)
        except OSError:
            failed.append(str(target))
    return failed


def _quietly(action: Callable[..., object], **kwargs: Any) -> None:
    try:
        action(**kwargs)
    except OSError:
        pass


def _baseline_edit(root: Path, plan: Plan, checked: _Verified, rewritten: set[str]) -> tuple[str, str, int] | None:
    """(baseline path, new text, entries removed): migrated values leave the baseline, since
    they are no longer in the files. None when there is no baseline or nothing to remove."""
    from secretshift.baseline_file import load_baseline, render_baseline, resolve_baseline_path
    from secretshift.config import load_config
    from secretshift.hashing import hash_value

    config = load_config(None, root)  # its hash_key: the baseline's hashes are keyed when one is set
    migrated = {
        (ref.path, hash_value(checked.values[(ref.secret_name, ref.json_key)], config.hash_key))
        for secret in plan.secrets for ref in secret.sources
        if ref.path in rewritten and (ref.secret_name, ref.json_key) in checked.values
    }
    path = resolve_baseline_path(None, config.baseline, root)
    if path is None:
        return None
    baseline = load_baseline(path, config.hash_key)
    kept = [e for e in baseline.entries if (e.filename, e.hashed_secret) not in migrated]
    removed = len(baseline.entries) - len(kept)
    if not removed:
        return None
    text = render_baseline(baseline.with_entries(kept))
    return os.path.relpath(Path(path).resolve(), root.resolve()).replace(os.sep, "/"), str(text), removed


def _follow_up(plan: Plan, root: Path, checked: _Verified, options: ApplyOptions,
               out: Callable[[str], None]) -> None:
    from secretshift.migrate.history import exposures, write_replace_file

    labelled = {f"{name}#{key}": value for (name, key), value in sorted(checked.values.items())}
    found, complete = exposures(root, labelled)
    if not found:
        if checked.values:
            out("follow-up: none of the migrated values is in git history" if complete else
                "follow-up: none of the migrated values found in the part of git history read (it was "
                "cut short or unreadable): check older history before trusting that")
        return
    out("follow-up: these values are in git history, so they are compromised:")
    for exposure in found:
        more = " (history scan bounded; it may be older)" if exposure.bounded else ""
        out(f"  exposed: rotate it at the provider now: {exposure.label} (first added in {exposure.commit}{more})")
    if options.write_replace_file:
        target = Path(options.write_replace_file).resolve()
        write_replace_file(target, {k: v for k, v in labelled.items() if k in {e.label for e in found}})
        out(f"history cleanup: wrote {target} (mode 0600, holds the plaintext values: delete it after use); "
            f"run `git filter-repo --replace-text {target}` on a fresh clone, then force-push")
    else:
        out("history cleanup: `git filter-repo --replace-text FILE`; get FILE with "
            "--write-replace-file PATH (outside the repository, mode 0600, it holds the values)")
