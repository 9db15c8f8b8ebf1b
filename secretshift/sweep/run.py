"""Drive a sweep on a Dask cluster: a ``distributed.LocalCluster`` sized to this machine by
default, or an existing scheduler (``tcp://host:8786``).

Per repository: one ``prepare`` task, then one ``scan_range`` task per commit range. The client
merges a repository's ranges and stores its result the moment the last one is back, so results
travel exactly once (a task Dask re-runs after losing a worker returns to the same future) and
a killed sweep loses only the repositories in flight.
"""
from __future__ import annotations

import hashlib
import logging
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TextIO

from secretshift.errors import FatalError
from secretshift.sweep import tasks
from secretshift.sweep.gitops import public_location
from secretshift.sweep.inventory import Repository
from secretshift.sweep.store import RepoRecord, ResultStore, rules_version

RETRIES = 2  # a task whose worker died is re-run; tasks are idempotent


@dataclass
class SweepRun:
    records: list[RepoRecord] = field(default_factory=list)
    scanned: int = 0  # repositories with new commits scanned this run
    unchanged: int = 0
    failed: int = 0
    seconds: float = 0.0
    dashboard: str | None = None


def run_sweep(
    repos: Sequence[Repository],
    out_dir: Path,
    options: tasks.SweepOptions,
    scheduler: str | None = None,
    workers: int | None = None,
    progress: TextIO | None = None,
) -> SweepRun:
    from distributed import Client

    # Dask's own log (heartbeats, a worker being restarted, its tracebacks at shutdown under load)
    # is not the user's business: what failed is reported per repository, with its error.
    logging.getLogger("distributed").setLevel(logging.CRITICAL)
    store = ResultStore(out_dir)
    version = _version(options)
    started = time.monotonic()
    cluster = None
    try:
        if scheduler is None:
            cluster = _local_cluster(workers)
            client = Client(cluster)
        else:
            client = Client(scheduler, timeout="20s")
    except OSError as exc:
        raise FatalError(f"cannot reach the Dask scheduler {scheduler}: {exc}") from None
    try:
        run = SweepRun(dashboard=_dashboard(client))
        if progress is not None and run.dashboard:
            print(f"secretshift sweep: Dask dashboard at {run.dashboard}", file=progress)
        _drive(client, repos, store, version, options, run, _Progress(len(repos), progress))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    run.seconds = time.monotonic() - started
    return run


def _local_cluster(workers: int | None) -> Any:
    import os

    from distributed import LocalCluster

    count = workers or len(os.sched_getaffinity(0)) or 1
    # One thread per worker process: the scan is CPU-bound and runs in a child process anyway.
    return LocalCluster(n_workers=count, threads_per_worker=1, processes=True, dashboard_address=":0",
                        silence_logs=logging.CRITICAL)


def _dashboard(client: Any) -> str | None:
    try:
        import bokeh  # noqa: F401  (Dask serves its dashboard only with bokeh installed)
    except ImportError:
        return None
    link = getattr(client, "dashboard_link", None)
    return str(link) if link else None


def _version(options: tasks.SweepOptions) -> str:
    digest = hashlib.sha256(rules_version().encode())
    digest.update((options.config_text or "").encode() + b"\0" + (options.since or "").encode())
    digest.update(repr(sorted((options.validate or {}).items())).encode())  # a verdict is part of a result
    return digest.hexdigest()[:16]


def _drive(client: Any, repos: Sequence[Repository], store: ResultStore, version: str,
           options: tasks.SweepOptions, run: SweepRun, progress: _Progress) -> None:
    from distributed import as_completed

    previous = {repo.key: store.load(repo.key) for repo in repos}
    pending: dict[str, _Pending] = {}
    queue = as_completed()
    for repo in repos:
        old = previous[repo.key]
        usable = old if old is not None and old.status == "ok" and old.rules_version == version else None
        info = {"key": repo.key, "location": repo.location, "remote": repo.remote}
        future = client.submit(tasks.prepare, info, usable.tips if usable else None, options,
                               key=f"prepare-{repo.key}-{version}", retries=RETRIES, pure=False)
        pending[future.key] = _Pending(repo, usable, kind="prepare")
        queue.add(future)
    ranges_left: dict[str, int] = {}
    partial: dict[str, list[dict[str, Any]]] = {}
    prepared: dict[str, dict[str, Any]] = {}
    for future in queue:
        job = pending.pop(future.key)
        repo = job.repo
        try:
            outcome: dict[str, Any] = future.result()
        except Exception as exc:  # the task failed past its retries (a worker died every time)
            outcome = {"status": "error", "error": f"task failed on the cluster ({type(exc).__name__})"}
            if job.kind == "range":
                outcome = {"error": outcome["error"]}
        if job.kind == "prepare":
            if outcome["status"] == "error":
                _finish(store, run, progress, _error_record(repo, version, options, outcome["error"], job.previous))
            elif outcome["status"] == "unchanged":
                assert job.previous is not None
                record = job.previous
                record.last_run = "unchanged"
                _finish(store, run, progress, record, store_it=False)
            elif not outcome["ranges"]:
                _finish(store, run, progress, _merge(repo, version, options, outcome, [], job.previous))
            else:
                prepared[repo.key] = outcome
                ranges_left[repo.key] = len(outcome["ranges"])
                partial[repo.key] = []
                info = {"key": repo.key, "location": repo.location, "remote": repo.remote}
                for index, span in enumerate(outcome["ranges"]):
                    key = f"scan-{repo.key}-{version}-{index}-{hashlib.sha1(repr(span).encode()).hexdigest()[:8]}"
                    child = client.submit(tasks.scan_range, info, span, options, key=key, retries=RETRIES, pure=False)
                    pending[child.key] = _Pending(repo, job.previous, kind="range")
                    queue.add(child)
        else:
            partial[repo.key].append(outcome)
            ranges_left[repo.key] -= 1
            if ranges_left[repo.key] == 0:
                parts = partial.pop(repo.key)
                errors = [p["error"] for p in parts if "error" in p]
                if errors:
                    record = _error_record(repo, version, options, errors[0], job.previous)
                else:
                    record = _merge(repo, version, options, prepared.pop(repo.key), parts, job.previous)
                _finish(store, run, progress, record)
    progress.close()


@dataclass
class _Pending:
    repo: Repository
    previous: RepoRecord | None
    kind: str  # "prepare" | "range"


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def _error_record(repo: Repository, version: str, options: tasks.SweepOptions, error: str,
                  previous: RepoRecord | None) -> RepoRecord:
    return RepoRecord(
        key=repo.key, name=repo.name, location=public_location(repo.location), rules_version=version,
        since=options.since, status="error", error=error, scanned_at=_now(), last_run="error",
        # what an earlier run found is still true: keep it in the report
        findings=list(previous.findings) if previous else [],
    )


def _merge(repo: Repository, version: str, options: tasks.SweepOptions, prepared: dict[str, Any],
           parts: list[dict[str, Any]], previous: RepoRecord | None) -> RepoRecord:
    incremental = bool(prepared.get("incremental")) and previous is not None
    findings: list[dict[str, Any]] = list(previous.findings) if incremental and previous else []
    seen = {_identity(f) for f in findings}
    skipped: list[dict[str, str]] = list(previous.skipped) if incremental and previous else []
    notes: list[str] = []
    commits = previous.commits if incremental and previous else 0
    for part in parts:
        for finding in part["findings"]:
            identity = _identity(finding)
            if identity not in seen:
                seen.add(identity)
                findings.append(finding)
        skipped += part.get("skipped", [])
        notes += [n for n in part.get("notes", []) if n not in notes]
        commits += int(part.get("commits", 0))
    findings.sort(key=lambda f: (f["path"], f["line"], f["rule"], f.get("commit") or ""))
    return RepoRecord(
        key=repo.key, name=repo.name, location=public_location(repo.location), rules_version=version,
        since=options.since, status="ok", tips=prepared["tips"], findings=findings, skipped=skipped,
        notes=notes, commits=commits, scanned_at=_now(), last_run="incremental" if incremental else "full",
    )


def _identity(finding: dict[str, Any]) -> tuple[Any, ...]:
    return (finding.get("commit"), finding["path"], finding["line"], finding["rule"], finding["secret_hash"])


def _finish(store: ResultStore, run: SweepRun, progress: _Progress, record: RepoRecord,
            store_it: bool = True) -> None:
    if store_it:
        store.save(record)
    run.records.append(record)
    if record.status == "error":
        run.failed += 1
    elif record.last_run == "unchanged":
        run.unchanged += 1
    else:
        run.scanned += 1
    progress.advance(record)


class _Progress:
    """``repositories done/total, rate, ETA`` on a terminal; one line per repository elsewhere."""

    def __init__(self, total: int, stream: TextIO | None) -> None:
        self.total = total
        self.done = 0
        self.stream = stream
        self.started = time.monotonic()
        self.tty = bool(stream is not None and stream.isatty())

    def advance(self, record: RepoRecord) -> None:
        self.done += 1
        if self.stream is None:
            return
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = self.done / elapsed
        eta = (self.total - self.done) / rate if rate else 0.0
        status = record.error and f"error: {record.error}" or f"{len(record.findings)} findings ({record.last_run})"
        from secretshift.textutil import printable_path

        line = (f"secretshift sweep: {self.done}/{self.total} repositories, {rate:.1f}/s, "
                f"ETA {eta:.0f} s — {printable_path(record.name)}: {status}")
        if self.tty:
            self.stream.write("\r\033[K" + line)
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.tty and self.stream is not None:
            self.stream.write("\n")
            self.stream.flush()
