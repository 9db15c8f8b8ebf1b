"""Items 2 and 15: a configuration mistake (or a pull request's sabotage) is an error, exit 2,
naming what is wrong, in every command that reads the config; never a silently green run."""
from __future__ import annotations

from pathlib import Path

import pytest

from secretshift.cli import main
from tests.conftest import git
from tests.fakes import github_token


def _repo_with_secret(repo: Path, config: str, name: str = ".secretshift.toml") -> str:
    (repo / "README.md").write_text("# app\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    base = git(repo, "rev-parse", "HEAD").strip()
    (repo / "settings.py").write_text(f'GITHUB_TOKEN = "{github_token(21)}"\n')
    (repo / name).write_text(config)
    git(repo, "add", "-A")
    return base


# Each of these made the PR's secret pass before; every command must refuse the config.
BAD_CONFIGS = {
    "enable-unknown-rule": ('enable = ["githubtoken"]\n', "githubtoken"),
    "disable-unknown-rule": ('disable = ["nope"]\n', "nope"),
    "exclude-empty": ('exclude = [""]\n', "matches the empty string"),
    "exclude-dot-star": ('exclude = [".*"]\n', "matches the empty string"),
    "exclude-any-char": ('exclude = ["."]\n', "matches everything"),
    "exclude-any-class": ('exclude = ["[\\\\s\\\\S]"]\n', "matches everything"),
    "allowlist-regex-empty": ('[allowlist]\nregexes = [""]\n', "matches the empty string"),
    "allowlist-path-everything": ('[allowlist]\npaths = ["\\\\w|\\\\W"]\n', "matches everything"),
    "allowlist-misspelt-key": ('[allowlist]\nregex = ["^dev-"]\n', "regex"),
    "allowlist-short-stopword": ('[allowlist]\nstopwords = ["g"]\n', "too short"),
    "max-file-size-1": ("max_file_size = 1\n", "outside 1KB..1GB"),
    "max-file-size-huge": ('max_file_size = "3GB"\n', "outside 1KB..1GB"),
    "max-file-size-zero": ('max_file_size = "0KB"\n', "positive size"),
    "max-file-size-bool": ("max_file_size = true\n", "positive size"),
    "unknown-key": ('exclud = ["^vendor/"]\n', "exclud"),
    "unknown-table-next-to-tool": ('[tool.secretshift]\nexclude = []\n[tool.black]\nline-length = 99\n', "tool.black"),
    "unknown-key-next-to-section": ('stray = 1\n[secretshift]\nexclude = []\n', "stray"),
}
COMMANDS = {
    "scan": lambda base: ["scan", "."],
    "scan-staged": lambda base: ["scan", "--staged"],
    "hook": lambda base: ["hook"],
    "hook-files": lambda base: ["hook", "settings.py"],
    "ci": lambda base: ["ci", "--base", base, "--head", "HEAD", "--trust-head-config"],
    "baseline-create": lambda base: ["baseline", "create", "--baseline", "new.baseline"],
    "history": lambda base: ["scan", ".", "--history"],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("bad", sorted(BAD_CONFIGS))
def test_a_bad_config_is_an_error_in_every_command(git_repo: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str], bad: str, command: str) -> None:
    text, named = BAD_CONFIGS[bad]
    base = _repo_with_secret(git_repo, text)
    git(git_repo, "commit", "-q", "-m", "pr")
    monkeypatch.chdir(git_repo)
    code = main(COMMANDS[command](base))
    err = capsys.readouterr().err
    assert code == 2, err
    assert named in err
    assert not (git_repo / "new.baseline").exists()


def test_unknown_rule_id_suggests_the_real_one(git_repo: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    _repo_with_secret(git_repo, 'enable = ["github-tokn"]\n')
    monkeypatch.chdir(git_repo)
    assert main(["scan", "."]) == 2
    err = capsys.readouterr().err
    assert "'github-tokn'" in err and "'github-token'" in err and "did you mean" in err


def test_the_readme_block_pasted_into_dot_secretshift_toml_is_read(git_repo: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    block = readme.split("```toml\n[tool.secretshift]\n", 1)[1].split("```", 1)[0]
    kept = "".join(line + "\n" for line in block.splitlines()
                   if not line.startswith(("rule_files", "baseline")))  # files this test does not have
    _repo_with_secret(git_repo, "[tool.secretshift]\n" + kept)
    (git_repo / "vendor").mkdir()
    (git_repo / "vendor" / "lib.py").write_text(f'TOKEN = "{github_token(22)}"\n')
    monkeypatch.chdir(git_repo)
    assert main(["scan", ".", "--format", "json"]) == 1
    out = capsys.readouterr().out
    assert "settings.py" in out and "vendor/lib.py" not in out  # its exclude applies


@pytest.mark.parametrize("since", ["garbage date", "garbage", "2024-13-45", "3", "", "--all"])
def test_since_garbage_is_an_error(git_repo: Path, capsys: pytest.CaptureFixture[str], since: str) -> None:
    _repo_with_secret(git_repo, "")
    git(git_repo, "commit", "-q", "-m", "pr")
    assert main(["scan", str(git_repo), "--history", "--since", since]) == 2
    assert "--since" in capsys.readouterr().err


@pytest.mark.parametrize("since", ["2 weeks ago", "1.week.ago", "2000-01-01", "2000-01-01T10:00:00Z", "yesterday"])
def test_since_real_dates_still_work(git_repo: Path, capsys: pytest.CaptureFixture[str], since: str) -> None:
    _repo_with_secret(git_repo, "")
    git(git_repo, "commit", "-q", "-m", "pr")
    code = main(["scan", str(git_repo), "--history", "--since", since, "--format", "json"])
    assert code == (1 if since in ("2000-01-01", "2000-01-01T10:00:00Z") or "ago" in since or since == "yesterday" else 0)


def test_max_file_size_flag_is_checked_too(git_repo: Path, capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    _repo_with_secret(git_repo, "")
    monkeypatch.chdir(git_repo)
    assert main(["scan", ".", "--max-file-size", "1"]) == 2
    assert "outside 1KB..1GB" in capsys.readouterr().err


def test_a_misspelt_rule_id_in_migrate_rotation_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`[tool.secretshift.migrate.rotation.rule.<id>]` with an unknown id kept the default lifetime
    for that credential without a word."""
    from secretshift.cli import main

    (tmp_path / ".secretshift.toml").write_text(
        "[migrate.rotation.rule.aws-secret-acess-key]\ndays = 30\n")
    (tmp_path / "app.env").write_text("PORT=8080\n")
    assert main(["migrate", "plan", str(tmp_path / "app.env")]) == 2
    err = capsys.readouterr().err
    assert "aws-secret-acess-key" in err and "did you mean 'aws-secret-access-key'" in err
