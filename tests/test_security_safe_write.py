"""safe_write: the one write path refuses symlinks, `.git/` and (unless named) the outside world."""
from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from secretshift import safe_write
from secretshift.errors import FatalError
from secretshift.safe_write import PathOrigin, UnsafeWrite

USER = PathOrigin.NAMED_BY_USER
REPO = PathOrigin.FROM_REPOSITORY


@pytest.fixture(params=[True, False], ids=["at-calls", "path-walk"])
def walk_mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Every test runs with the race-free *at() walk and with the path-based walk Windows gets."""
    monkeypatch.setattr(safe_write, "_AT_CALLS", bool(request.param) and safe_write._AT_CALLS)
    return bool(request.param)


@pytest.fixture
def layout(tmp_path: Path, walk_mode: bool) -> tuple[Path, Path]:
    """A repository and a precious file outside it (what an attacker wants overwritten)."""
    repo = tmp_path / "repo"
    (repo / ".git" / "hooks").mkdir(parents=True)
    (repo / "src").mkdir()
    outside = tmp_path / "precious.conf"
    outside.write_text("keep me\n")
    outside.chmod(0o644)
    return repo, outside


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if "secretshift-tmp" in p.name)


def test_writes_a_new_file_with_the_umask_mode(layout: tuple[Path, Path]) -> None:
    repo, _ = layout
    safe_write.write_text(repo / "report.sarif", "{}\n", root=repo, origin=USER)
    target = repo / "report.sarif"
    assert target.read_text() == "{}\n"
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask
    assert _leftovers(repo) == []


@pytest.mark.parametrize("mode", [0o600, 0o755, 0o640])
def test_replacing_keeps_the_original_mode(layout: tuple[Path, Path], mode: int) -> None:
    repo, _ = layout
    target = repo / "src" / "app.py"
    target.write_text("old\n")
    target.chmod(mode)
    safe_write.write_bytes(target, b"new\n", root=repo, origin=REPO)
    assert target.read_bytes() == b"new\n"
    assert stat.S_IMODE(target.stat().st_mode) == mode


def test_missing_directories_inside_the_repository_are_created(layout: tuple[Path, Path]) -> None:
    repo, _ = layout
    safe_write.write_text(repo / "docs" / "deep" / "runbook.md", "x", root=repo, origin=REPO)
    assert (repo / "docs" / "deep" / "runbook.md").read_text() == "x"


@pytest.mark.parametrize("origin", [USER, REPO], ids=["named", "from-repo"])
def test_a_committed_symlink_as_the_report_is_refused(layout: tuple[Path, Path], origin: PathOrigin) -> None:
    repo, outside = layout
    (repo / "secretshift.sarif").symlink_to(outside)
    with pytest.raises(UnsafeWrite, match="symlink"):
        safe_write.write_text(repo / "secretshift.sarif", "pwned", root=repo, origin=origin)
    assert outside.read_text() == "keep me\n"
    assert (repo / "secretshift.sarif").is_symlink()
    assert _leftovers(repo) == []


def test_a_dangling_symlink_is_refused_too(layout: tuple[Path, Path]) -> None:
    repo, outside = layout
    created = outside.parent / "created-by-attacker"
    (repo / "gl-secret-detection-report.json").symlink_to(created)
    with pytest.raises(UnsafeWrite):
        safe_write.write_text(repo / "gl-secret-detection-report.json", "x", root=repo, origin=USER)
    assert not created.exists()


def test_a_symlinked_directory_inside_the_repository_is_refused(layout: tuple[Path, Path]) -> None:
    repo, outside = layout
    (repo / "reports").symlink_to(outside.parent)
    with pytest.raises(UnsafeWrite, match="'reports' on its way is a symlink"):
        safe_write.write_text(repo / "reports" / "precious.conf", "pwned", root=repo, origin=USER)
    assert outside.read_text() == "keep me\n"


def test_a_symlink_back_to_the_root_is_not_taken_for_the_root(layout: tuple[Path, Path]) -> None:
    repo, _ = layout
    (repo / "loop").symlink_to(repo)
    with pytest.raises(UnsafeWrite):
        safe_write.write_text(repo / "loop" / "out.json", "x", root=repo, origin=USER)


def test_planted_predictable_temp_names_are_never_used(layout: tuple[Path, Path]) -> None:
    repo, outside = layout
    target = repo / "src" / "app.py"
    target.write_text("old\n")
    for name in (f".app.py.secretshift-{os.getpid()}", f".app.py.tmp{os.getpid()}", "app.py.tmp"):
        (repo / "src" / name).symlink_to(outside)
    safe_write.write_text(target, "new\n", root=repo, origin=REPO)
    assert outside.read_text() == "keep me\n"
    assert stat.S_IMODE(outside.stat().st_mode) == 0o644
    assert target.read_text() == "new\n"


@pytest.mark.parametrize("relative", [".git/hooks/pre-commit", ".git/config", ".GIT/config", ".git"])
@pytest.mark.parametrize("origin", [USER, REPO], ids=["named", "from-repo"])
def test_nothing_is_written_into_dot_git(layout: tuple[Path, Path], relative: str, origin: PathOrigin) -> None:
    repo, _ = layout
    with pytest.raises(UnsafeWrite, match=".git"):
        safe_write.write_text(repo / relative, "#!/bin/sh\n", root=repo, origin=origin)
    assert not (repo / ".git" / "hooks" / "pre-commit").exists()


def test_dot_dot_cannot_walk_out_of_the_repository(layout: tuple[Path, Path]) -> None:
    repo, outside = layout
    sneaky = repo / "docs" / ".." / ".." / outside.name
    with pytest.raises(UnsafeWrite, match="outside the repository"):
        safe_write.write_text(sneaky, "pwned", root=repo, origin=REPO)
    assert outside.read_text() == "keep me\n"


def test_outside_paths_need_the_user_to_name_them(layout: tuple[Path, Path], tmp_path: Path) -> None:
    repo, _ = layout
    report = tmp_path / "out" / "report.json"
    report.parent.mkdir()
    with pytest.raises(UnsafeWrite, match="outside the repository"):
        safe_write.write_text(report, "{}", root=repo, origin=REPO)
    assert not report.exists()
    safe_write.write_text(report, "{}", root=repo, origin=USER)
    assert report.read_text() == "{}"


def test_a_named_outside_symlink_to_a_file_is_refused(layout: tuple[Path, Path], tmp_path: Path) -> None:
    repo, outside = layout
    link = tmp_path / "latest.sarif"
    link.symlink_to(outside)
    with pytest.raises(UnsafeWrite, match="name the file it points to"):
        safe_write.write_text(link, "x", root=repo, origin=USER)
    assert outside.read_text() == "keep me\n"


def test_dev_null_named_by_the_user_is_written_into_not_replaced(layout: tuple[Path, Path]) -> None:
    repo, _ = layout
    safe_write.write_text("/dev/null", "report", root=repo, origin=USER)
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    with pytest.raises(UnsafeWrite):
        safe_write.write_text("/dev/null", "report", root=repo, origin=REPO)


def test_a_named_symlink_to_a_pipe_is_written_through(layout: tuple[Path, Path], tmp_path: Path) -> None:
    """`-o /dev/stdout` on a CI runner: /dev/stdout is a symlink to the job's pipe."""
    repo, _ = layout
    read_fd, write_fd = os.pipe()
    try:
        link = tmp_path / "stdout"
        link.symlink_to(f"/proc/self/fd/{write_fd}")
        if not Path(f"/proc/self/fd/{write_fd}").exists():
            pytest.skip("no /proc on this system: /dev/stdout cannot be modelled")
        safe_write.write_text(link, "through the pipe", root=repo, origin=USER)
        assert os.read(read_fd, 100) == b"through the pipe"
    finally:
        os.close(read_fd)
        os.close(write_fd)


def test_prepare_then_discard_leaves_nothing(layout: tuple[Path, Path]) -> None:
    repo, _ = layout
    first, second = repo / "src" / "a.py", repo / "src" / "b.py"
    first.write_text("a\n")
    pending = [safe_write.prepare(p, b"new\n", root=repo, origin=REPO) for p in (first, second)]
    for item in pending:
        item.discard()
    assert first.read_text() == "a\n"
    assert not second.exists()
    assert _leftovers(repo / "src") == []


def test_commit_repeats_the_walk(layout: tuple[Path, Path], tmp_path: Path) -> None:
    """A directory swapped for a symlink between prepare and commit: the commit refuses."""
    repo, _ = layout
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    pending = safe_write.prepare(repo / "src" / "app.py", b"new\n", root=repo, origin=REPO)
    (repo / "src").rename(repo / "src-moved")
    (repo / "src").symlink_to(elsewhere)
    with pytest.raises(UnsafeWrite):
        pending.commit()
    assert list(elsewhere.iterdir()) == []


def test_append_refuses_a_symlink_and_appends_otherwise(layout: tuple[Path, Path], tmp_path: Path) -> None:
    repo, outside = layout
    summary = tmp_path / "step_summary"
    safe_write.append_text(summary, "one\n", root=repo, origin=USER)
    safe_write.append_text(summary, "two\n", root=repo, origin=USER)
    assert summary.read_text() == "one\ntwo\n"
    link = tmp_path / "summary-link"
    link.symlink_to(outside)
    with pytest.raises(UnsafeWrite):
        safe_write.append_text(link, "x", root=repo, origin=USER)
    assert outside.read_text() == "keep me\n"


def test_a_directory_as_target_is_a_clear_error(layout: tuple[Path, Path]) -> None:
    repo, _ = layout
    with pytest.raises(FatalError, match="directory"):
        safe_write.write_text(repo / "src", "x", root=repo, origin=USER)
    assert (repo / "src").is_dir()


def test_a_root_reached_through_a_symlinked_parent_is_still_the_root(tmp_path: Path) -> None:
    real = tmp_path / "real"
    (real / "repo" / ".git").mkdir(parents=True)
    (tmp_path / "alias").symlink_to(real)
    via_alias = tmp_path / "alias" / "repo"
    safe_write.write_text(via_alias / "out.json", "{}", root=real / "repo", origin=REPO)
    assert (real / "repo" / "out.json").read_text() == "{}"
    with pytest.raises(UnsafeWrite):
        safe_write.write_text(via_alias / ".git" / "config", "x", root=real / "repo", origin=USER)
