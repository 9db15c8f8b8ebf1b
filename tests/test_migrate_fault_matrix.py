"""Migration fault injection: a failure at every step leaves a state a re-run converges from.

Faults are real: AWS errors and dropped connections from an HTTP proxy in front of moto's server
(tests/aws_faults.py), an immutable file (chattr +i), a file-size limit (RLIMIT_FSIZE: writes
fail with EFBIG) and a full file system (a small tmpfs: ENOSPC). Nothing of the code under test
is replaced.

The invariant checked after each fault:
- the repository is either exactly as before or exactly as after a successful apply;
- AWS Secrets Manager holds only planned secrets, each with exactly its planned value (a
  secret may already exist when a later step failed: the design converges on re-run rather
  than deleting, see below);
- a re-run without the fault succeeds and reaches the same final state as an undisturbed
  apply, and a further run changes nothing (no new secret versions).
ASM is not rolled back on failure: deleting secrets is riskier than leaving correct ones that
the next run reuses (their content is identical, by hash, to what the files hold).
"""
from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import boto3

from tests.aws_faults import Fault, faulty_endpoint
from tests.conftest import git, run_cli  # noqa: E402
from tests.migrate_repo import SampleRepo, make_sample_repo, rotation_function  # noqa: E402

SLOW = bool(os.environ.get("SECRETSHIFT_SLOW_TESTS"))
ROTATION_FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:rotate-github"
LAMBDA_ROTATION = f'[tool.secretshift.migrate.rotation.rule.github-token]\ndays = 30\nlambda = "{ROTATION_FUNCTION}"\n'


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".git" not in p.relative_to(root).parts}


def _client(endpoint: str) -> Any:
    return boto3.client("secretsmanager", endpoint_url=endpoint, region_name="us-east-1")


def _asm_state(endpoint: str) -> dict[str, tuple[dict[str, str], int]]:
    """name -> (its JSON document, number of versions)."""
    client = _client(endpoint)
    state = {}
    for entry in client.list_secrets()["SecretList"]:
        name = entry["Name"]
        value = json.loads(client.get_secret_value(SecretId=name)["SecretString"])
        versions = len(client.list_secret_version_ids(SecretId=name)["Versions"])
        state[name] = (value, versions)
    return state


def _make(root: Path, rotation: bool, plan_dir: Path | None = None) -> tuple[SampleRepo, Path]:
    repo = make_sample_repo(root)
    if rotation:
        config = root / "pyproject.toml"
        config.write_text(config.read_text() + LAMBDA_ROTATION)
        git(root, "add", "-A")
        git(root, "commit", "-qm", "lambda rotation")
    return repo, _plan(root, plan_dir or root.parent)


def _plan(root: Path, plan_dir: Path) -> Path:
    # Planned in-process (quicker); apply, the part under test, runs as the real CLI.
    from secretshift.config import load_config
    from secretshift.migrate.plan_file import plan_to_json
    from secretshift.migrate.plan import plan_migration
    from secretshift.migrate.settings import parse_settings

    config = load_config(None, root)
    plan = plan_migration([str(root)], config, parse_settings(config.migrate))
    plan_file = plan_dir / f"{root.name}-plan.json"
    plan_file.write_text(plan_to_json(plan))
    return plan_file


def _apply(plan_file: Path, root: Path, endpoint: str, **popen: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "secretshift", "migrate", "apply", str(plan_file), "--endpoint-url", endpoint, "--yes"],
        cwd=root, capture_output=True, text=True, timeout=300, **popen,
    )


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory, asm_endpoint: str) -> dict[bool, tuple[dict[str, bytes], dict[str, dict[str, str]]]]:
    """The undisturbed result, per rotation setting: (final tree, ASM documents)."""
    import urllib.request

    results = {}
    for rotation in (False, True):
        urllib.request.urlopen(urllib.request.Request(f"{asm_endpoint}/moto-api/reset", method="POST"), timeout=10)
        root = tmp_path_factory.mktemp(f"reference-{rotation}") / "repo"
        root.mkdir()
        git(root, "init", "-q")
        repo, plan_file = _make(root, rotation)
        if rotation:
            rotation_function(asm_endpoint)
        done = _apply(plan_file, root, asm_endpoint)
        assert done.returncode == 0, done.stderr
        results[rotation] = (_tree(root), {k: v for k, (v, _) in _asm_state(asm_endpoint).items()})
    urllib.request.urlopen(urllib.request.Request(f"{asm_endpoint}/moto-api/reset", method="POST"), timeout=10)
    return results


def _check_after_fault(before: dict[str, bytes], root: Path, endpoint: str, final: dict[str, bytes],
                       documents: dict[str, dict[str, str]], repo: SampleRepo, output: str) -> None:
    after = _tree(root)
    assert after in (before, final), "the repository is half migrated: " + ", ".join(
        sorted(k for k in set(after) | set(before) if after.get(k) != before.get(k)))
    for name, (value, _) in _asm_state(endpoint).items():
        assert name in documents, f"unplanned secret {name}"
        assert value == documents[name], f"{name} holds a partial or wrong value"
    for value in repo.values.values():
        assert value not in output, "a secret value in the output"


def _converges(plan_file: Path, root: Path, endpoint: str, final: dict[str, bytes],
               documents: dict[str, dict[str, str]]) -> None:
    rerun = _apply(plan_file, root, endpoint)
    assert rerun.returncode == 0, rerun.stderr
    assert _tree(root) == final
    state = _asm_state(endpoint)
    assert {k: v for k, (v, _) in state.items()} == documents
    if not SLOW:
        return
    again = _apply(plan_file, root, endpoint)
    assert again.returncode == 0, again.stderr
    assert "nothing to change" in again.stdout
    assert _tree(root) == final
    assert _asm_state(endpoint) == state  # no new version, no new secret


# -- AWS faults, at every operation apply makes ------------------------------------------------
def _pre_create_partly_tagged(endpoint: str, documents: dict[str, dict[str, str]], root: Path) -> None:
    # Left by an interrupted earlier apply of this repository: the right value, only the
    # ownership tags; apply must add the rest (a secret without them is foreign and refused).
    name = "billing/prod/DEPLOY_TOKEN"
    _client(endpoint).create_secret(Name=name, SecretString=json.dumps(documents[name], separators=(",", ":")),
                                    Tags=[{"Key": "managed-by", "Value": "secretshift"},
                                          {"Key": "source-repo", "Value": root.name}])


AWS_FAULTS = [
    # (rotation on, secret pre-exists untagged, fault)
    (False, False, Fault("DescribeSecret", "AccessDeniedException")),
    (False, False, Fault("DescribeSecret", "", first=2)),
    (False, False, Fault("CreateSecret", "AccessDeniedException")),
    (False, False, Fault("CreateSecret", "InternalServiceError", status=500, first=2)),
    (False, False, Fault("CreateSecret", "", first=2)),
    (True, False, Fault("RotateSecret", "AccessDeniedException")),
    (True, False, Fault("RotateSecret", "", first=2)),
    (False, True, Fault("GetSecretValue", "DecryptionFailure")),
    (False, True, Fault("TagResource", "AccessDeniedException")),
    (False, True, Fault("TagResource", "")),
    (True, True, Fault("RotateSecret", "LimitExceededException")),
]
if not SLOW:  # the default suite keeps a few (each apply is a CLI run loading boto3: seconds)
    AWS_FAULTS = [AWS_FAULTS[i] for i in (3, 8)]


@pytest.mark.parametrize(
    ("rotation", "existing", "fault"), AWS_FAULTS,
    ids=[f"{f.operation}-{f.code or 'dropped'}-call{f.first}{'-rotation' if r else ''}{'-existing' if e else ''}"
         for r, e, f in AWS_FAULTS],
)
def test_aws_fault_at_each_step(git_repo: Path, asm: str, reference: dict[bool, Any],
                                rotation: bool, existing: bool, fault: Fault) -> None:
    final, documents = reference[rotation]
    repo, plan_file = _make(git_repo, rotation)
    if rotation:
        rotation_function(asm)
    if existing:
        _pre_create_partly_tagged(asm, documents, git_repo)
    before = _tree(git_repo)
    with faulty_endpoint(asm, fault) as (url, calls):
        failed = _apply(plan_file, git_repo, url)
    assert calls[fault.operation] >= fault.first, f"{fault.operation} was never called: the fault did not fire"
    assert failed.returncode == 2, failed.stdout + failed.stderr
    assert "Traceback" not in failed.stderr
    _check_after_fault(before, git_repo, asm, final, documents, repo, failed.stdout + failed.stderr)
    _converges(plan_file, git_repo, asm, final, documents)


# -- file faults -------------------------------------------------------------------------------------
def _chattr(path: Path, flag: str) -> bool:
    return subprocess.run(["chattr", flag, str(path)], capture_output=True).returncode == 0


@pytest.mark.parametrize(
    "target", [".env", "app/settings.py", "docs"] if SLOW else ["app/settings.py"],
    ids=["first-file", "later-file", "new-dir"] if SLOW else ["later-file"],
)
def test_immutable_file_midway(git_repo: Path, asm: str, reference: dict[bool, Any], target: str) -> None:
    final, documents = reference[False]
    repo, plan_file = _make(git_repo, False)
    before = _tree(git_repo)
    locked = git_repo / target
    if target == "docs":
        locked.mkdir()  # the IAM policy and runbook go here: a directory nothing can be added to
    if not _chattr(locked, "+i"):
        pytest.skip("chattr +i is not available here (needs root and a file system that supports it)")
    try:
        failed = _apply(plan_file, git_repo, asm)
    finally:
        _chattr(locked, "-i")
    if target == "docs":
        locked.rmdir()
    assert failed.returncode == 2, failed.stdout + failed.stderr
    assert "every file was restored" in failed.stderr
    _check_after_fault(before, git_repo, asm, final, documents, repo, failed.stdout + failed.stderr)
    assert _tree(git_repo) == before  # AWS succeeded, so only the files could fail: all restored
    _converges(plan_file, git_repo, asm, final, documents)


def _limit_file_size(limit: int) -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # so a write past the limit fails with EFBIG
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def test_file_too_large_for_the_limit(git_repo: Path, asm: str) -> None:
    repo, _ = _make(git_repo, False)
    # app/settings.py is written after .env: pad it so that only its rewrite crosses the limit,
    # once .env has been replaced (the restore path runs).
    settings = git_repo / "app" / "settings.py"
    settings.write_text(settings.read_text() + ("# " + "x" * 98 + "\n") * 400)
    git(git_repo, "commit", "-qam", "long settings")
    plan_file = _plan(git_repo, git_repo.parent)
    before = _tree(git_repo)
    failed = _apply(plan_file, git_repo, asm, preexec_fn=lambda: _limit_file_size(20_000))
    assert failed.returncode == 2, failed.stdout + failed.stderr
    assert "File too large" in failed.stderr and "every file was restored" in failed.stderr
    assert _tree(git_repo) == before
    for value in repo.values.values():
        assert value not in failed.stdout + failed.stderr
    rerun = _apply(plan_file, git_repo, asm)
    assert rerun.returncode == 0, rerun.stderr
    for name in (".env", "app/settings.py"):
        assert all(v not in (git_repo / name).read_text() for v in repo.values.values())


@pytest.fixture
def small_tmpfs() -> Iterator[Path]:
    mount = Path(tempfile.mkdtemp(prefix="secretshift-full-"))
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        mount.rmdir()
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)
        shutil.rmtree(mount, ignore_errors=True)


def _fill(folder: Path, leave: int) -> None:
    """Fill the file system holding ``folder`` until about ``leave`` bytes are free."""
    stats = os.statvfs(folder)
    free = stats.f_bavail * stats.f_frsize
    with (folder / "filler.bin").open("wb") as handle:
        try:
            handle.write(b"\0" * max(0, free - leave))
        except OSError:
            pass


@pytest.mark.parametrize("leave_pages", [0, 2, 4] if SLOW else [2])
def test_disk_full_during_rewrite(small_tmpfs: Path, asm: str, reference: dict[bool, Any], leave_pages: int,
                                  tmp_path: Path) -> None:
    final, documents = reference[False]
    root = small_tmpfs / "repo"
    root.mkdir()
    git(root, "init", "-q")
    repo, plan_file = _make(root, False, plan_dir=tmp_path)
    before = _tree(root)
    _fill(small_tmpfs, leave_pages * 4096)  # tmpfs allocates whole 4 KB pages
    try:
        failed = _apply(plan_file, root, asm)
        assert "Traceback" not in failed.stderr
        if failed.returncode == 0:  # enough room after all
            assert _tree(root) == final
            return
        assert failed.returncode == 2, failed.stdout + failed.stderr
        assert "No space left on device" in failed.stderr
        _check_after_fault(before, root, asm, final, documents, repo, failed.stdout + failed.stderr)
        assert _tree(root) == before, "a full disk left the repository changed"
    finally:
        (small_tmpfs / "filler.bin").unlink(missing_ok=True)
    _converges(plan_file, root, asm, final, documents)


# -- concurrency -------------------------------------------------------------------------------------
@pytest.mark.parametrize("runs", [2, 4] if SLOW else [3])
def test_concurrent_applies_create_no_duplicates(git_repo: Path, asm: str, reference: dict[bool, Any], runs: int) -> None:
    final, documents = reference[False]
    repo, plan_file = _make(git_repo, False)
    before = _tree(git_repo)
    command = [sys.executable, "-m", "secretshift", "migrate", "apply", str(plan_file), "--endpoint-url", asm, "--yes"]
    procs = [subprocess.Popen(command, cwd=git_repo, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(runs)]
    outputs = [p.communicate(timeout=300) for p in procs]
    codes = [p.returncode for p in procs]
    assert all(code in (0, 2) for code in codes), outputs
    assert 0 in codes or all("a re-run converges" in err or "changed since" in err for _, err in outputs), outputs
    for out, err in outputs:
        assert "Traceback" not in err
        assert all(v not in out + err for v in repo.values.values())
    state = _asm_state(asm)
    assert sorted(state) == sorted(documents), "a duplicate or unplanned secret"
    assert {k: v for k, (v, _) in state.items()} == documents
    assert all(versions == 1 for _, versions in state.values()), "a concurrent run added a version"
    assert _tree(git_repo) in (before, final), "concurrent runs left the repository half migrated"
    _converges(plan_file, git_repo, asm, final, documents)
