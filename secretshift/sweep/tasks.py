"""What runs on a Dask worker. Both tasks are idempotent (Dask may run one twice when a worker is
lost) and return plain data; neither ever returns a plaintext secret.

``prepare``: bring the repository to this machine, read its ref tips, and decide what to scan:
nothing (unchanged since the stored result), the new commits only, or the whole history, cut
into disjoint ranges when it is large. ``scan_range``: scan one range in a long-lived child process
that runs under the task's time and memory limits, so a pathological repository cannot take the
worker down with it.
"""
from __future__ import annotations

import json
import resource
import selectors
import subprocess
import sys
import threading
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
    # --validate: {"network_services", "cache_ttl", "only_valid"}; checked in the scanning child,
    # where the plaintext already is
    validate: dict[str, Any] | None = None


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
        "validate": options.validate,
    }
    return _scanner(options.limits.memory_bytes).run(task, timeout)


class _Scanner:
    """A long-lived child process that scans one range per request (a JSON line in, a JSON line
    out): the interpreter and the scanner load once per worker thread, not once per repository,
    and the limits stay real — a request past its time kills the child, and the memory cap
    (RLIMIT_AS) holds for its whole life. A dead child is replaced at the next request.

    The child inherits the worker's environment, SECRETSHIFT_HASH_KEY included: the key is set
    on the workers (a LocalCluster's inherit the client's), never sent through the scheduler."""

    def __init__(self, memory: int | None) -> None:
        self.memory = memory
        self.proc: subprocess.Popen[bytes] | None = None

    def _start(self) -> subprocess.Popen[bytes]:
        if self.proc is None or self.proc.poll() is not None:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "secretshift.sweep.worker"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                preexec_fn=_limit_memory(self.memory),
            )
        return self.proc

    def _stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None

    def run(self, task: dict[str, Any], timeout: float) -> dict[str, Any]:
        proc = self._start()
        assert proc.stdin is not None and proc.stdout is not None
        try:
            proc.stdin.write(json.dumps(task).encode() + b"\n")
            proc.stdin.flush()
        except OSError:
            self._stop()
            return {"error": "scan process ended by the memory limit (raise --task-memory)"
                    if self.memory else "scan process ended unexpectedly"}
        with selectors.DefaultSelector() as selector:
            selector.register(proc.stdout, selectors.EVENT_READ)
            if not selector.select(timeout):
                self._stop()
                return {"error": f"scan timed out after {timeout:.0f} s (raise --task-timeout)"}
        line = proc.stdout.readline()
        if not line:
            code = proc.wait()
            self.proc = None
            if self.memory:
                return {"error": f"scan process ended by the memory limit (exit {code}; raise --task-memory)"}
            return {"error": f"scan process ended unexpectedly (exit {code})"}
        try:
            out: dict[str, Any] = json.loads(line)
        except ValueError:
            self._stop()
            return {"error": "scan process answered garbage"}
        if self.memory and str(out.get("error", "")).startswith("internal error"):
            # an import that fails for want of memory raises ImportError on some Pythons
            out["error"] += " (possibly the memory limit: raise --task-memory)"
        return out


_local = threading.local()


def _scanner(memory: int | None) -> _Scanner:
    scanner: _Scanner | None = getattr(_local, "scanner", None)
    if scanner is None or scanner.memory != memory:
        if scanner is not None:
            scanner._stop()
        scanner = _local.scanner = _Scanner(memory)
    return scanner


def _limit_memory(limit: int | None) -> Any:
    if limit is None:
        return None

    def apply() -> None:  # runs in the child between fork and exec
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return apply
