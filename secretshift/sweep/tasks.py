"""What runs on a Dask worker. Both tasks are idempotent (Dask may run one twice when a worker is
lost) and return plain data; neither ever returns a plaintext secret.

``prepare``: bring the repository to this machine, read its ref tips, and decide what to scan:
nothing (unchanged since the stored result), the new commits only, or the whole history, cut
into disjoint ranges when it is large. ``scan_range``: scan one range in a child process that
runs under the task's time and memory limits, so a pathological repository cannot take the
worker down with it.
"""
from __future__ import annotations

import json
import resource
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from typing import Any

from secretshift.errors import FatalError
from secretshift.sweep import gitops


@dataclass(frozen=True)
class Limits:
    seconds: float = 3600.0  # per task
    memory_bytes: int | None = None  # address-space cap of the scanning process
    split_commits: int = 20_000  # histories longer than this are cut into ranges


@dataclass(frozen=True)
class SweepOptions:
    cache_dir: str
    limits: Limits = field(default_factory=Limits)
    since: str | None = None
    config_text: str | None = None  # the sweep's own configuration (never the repositories')
    config_origin: str = "<defaults>"


def prepare(repo: dict[str, Any], previous_tips: dict[str, str] | None, options: SweepOptions) -> dict[str, Any]:
    """``{"status": "unchanged"|"scan"|"error", ...}`` for one repository."""
    try:
        return _prepare(repo, previous_tips, options)
    except FatalError as exc:
        return {"status": "error", "error": str(exc)}
    except Exception as exc:  # a bug must not end the sweep; its message may quote input
        return {"status": "error", "error": f"internal error ({type(exc).__name__})"}


def _prepare(repo: dict[str, Any], previous_tips: dict[str, str] | None, options: SweepOptions) -> dict[str, Any]:
    timeout = options.limits.seconds
    git_dir = gitops.local_copy(repo["location"], repo["remote"], options.cache_dir, repo["key"], timeout)
    tips = gitops.ref_tips(git_dir, timeout)
    if previous_tips is not None and tips == previous_tips:
        return {"status": "unchanged", "tips": tips}
    include = sorted(set(tips.values()))
    exclude: list[str] = []
    if previous_tips:
        exclude = sorted(sha for sha in set(previous_tips.values()) if gitops.has_commit(git_dir, sha, timeout))
    if not include:
        return {"status": "scan", "tips": tips, "ranges": [], "commits": 0, "incremental": bool(exclude)}
    commits = gitops.count(git_dir, include, exclude, options.since, timeout)
    parts = -(-commits // options.limits.split_commits) if commits else 1
    main = tips.get("HEAD") or include[0]
    ranges = gitops.split(git_dir, include, exclude, parts, main, timeout) if parts > 1 else [
        gitops.Range(tuple(include), tuple(exclude))]
    return {
        "status": "scan",
        "tips": tips,
        "ranges": [asdict(r) for r in ranges],
        "commits": commits,
        "incremental": bool(exclude),
    }


def scan_range(repo: dict[str, Any], span: dict[str, Any], options: SweepOptions) -> dict[str, Any]:
    """Findings (redacted, hashed) of the commits in ``span``, or ``{"error": ...}``."""
    timeout = options.limits.seconds
    try:
        git_dir = gitops.local_copy(repo["location"], repo["remote"], options.cache_dir, repo["key"], timeout,
                                    need=span["include"])
    except FatalError as exc:
        return {"error": str(exc)}
    task = {
        "git_dir": git_dir,
        "include": list(span["include"]),
        "exclude": list(span["exclude"]),
        "since": options.since,
        "config_text": options.config_text,
        "config_origin": options.config_origin,
    }
    # The child inherits the worker's environment, SECRETSHIFT_HASH_KEY included: the key is set
    # on the workers (a LocalCluster's inherit the client's), never sent through the scheduler.
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "secretshift.sweep.worker"],
            input=json.dumps(task).encode(),
            capture_output=True,
            timeout=timeout,
            preexec_fn=_limit_memory(options.limits.memory_bytes),
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"scan timed out after {timeout:.0f} s (raise --task-timeout)"}
    try:
        out: dict[str, Any] = json.loads(proc.stdout or b"{}")
    except ValueError:
        out = {}
    if proc.returncode != 0 or not out:
        if "error" in out:
            return {"error": str(out["error"])}
        if proc.returncode < 0 or b"MemoryError" in proc.stderr:
            return {"error": f"scan process ended by signal or memory limit (exit {proc.returncode})"}
        return {"error": f"scan process failed (exit {proc.returncode})"}
    return out


def _limit_memory(limit: int | None) -> Any:
    if limit is None:
        return None

    def apply() -> None:  # runs in the child between fork and exec
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return apply
