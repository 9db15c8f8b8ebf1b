"""The tool must not become the leak: no plaintext secret in anything it prints, writes or raises.

A corpus repository holds every rule's positive examples plus generated tokens. Every command in
the CLI registry runs over it (known commands with their real arguments, any other with a generic
invocation), in every report format, and nothing it prints or writes may contain a secret that
the scan finds there: not the value, not the value minus its shown prefix, not its base64 form.
`--show-secrets` is the one exception, and only on a terminal.
"""
from __future__ import annotations

import base64
import copy
import html
import json
import logging
import os
import pickle
import pty
import re
import shutil
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest

from secretshift.cli import COMMANDS
from secretshift.config import Config
from secretshift.errors import FatalError
from secretshift.hashing import HASH_KEY_ENV, check_scheme, hash_key, hash_value
from secretshift.models import Finding, SecretValue
from secretshift.scanner.rules import builtin_rules, detector_rules
from secretshift.pipeline import scan_paths
from tests.conftest import git, run_cli
from tests.planted import aws_key_id, aws_secret_key, github_token


def _write_corpus(root: Path) -> None:
    (root / ".env").write_text(
        f"GITHUB_TOKEN={github_token(900)}\nAWS_ACCESS_KEY_ID={aws_key_id(900)}\n"
        f"AWS_SECRET_ACCESS_KEY={aws_secret_key(900)}\n"
    )
    (root / "config").mkdir()
    (root / "config" / "app.yaml").write_text(f"github:\n  token: {github_token(901)}\n")
    (root / "config" / "app.json").write_text(json.dumps({"aws": {"key": aws_key_id(901)}}) + "\n")
    (root / "settings.py").write_text(f'TOKEN = "{github_token(902)}"  # the bot\n')
    (root / "weird name\n.env").write_text(f"T={github_token(903)}\n")
    for name, text in escaped_corpus().items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    for index, rule in enumerate([*builtin_rules(), *detector_rules()]):
        for number, example in enumerate(rule.positives):
            target = root / "examples" / f"{index}-{number}" / example.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(example.text + "\n")


# Secrets written the way real files spell them escaped or encoded: the tool must not print them in
# any spelling (the decoded value is what is checked, in every view of every output).
ESCAPED_SECRETS = {
    "json-unicode": github_token(904),
    "yaml-hex": aws_secret_key(905),
    "url-percent": "Q@v9#x/Lk2!pZr7wT&<m>",
    "xml-specials": "Zx9&kTq'Lm2Wv8&Rp4sYb",  # `&` and `'` become entities in XML reports
    "k8s-base64": aws_secret_key(906),
}


def escaped_corpus() -> dict[str, str]:
    unicode_escaped = "".join(f"\\u{ord(c):04x}" for c in ESCAPED_SECRETS["json-unicode"][:8])
    hex_escaped = "".join(f"\\x{ord(c):02x}" for c in ESCAPED_SECRETS["yaml-hex"][:6])
    k8s = base64.b64encode(ESCAPED_SECRETS["k8s-base64"].encode()).decode()
    return {
        "escaped/appsettings.json": json.dumps({"GitHub": {"Token": "PLACEHOLDER"}}).replace(
            "PLACEHOLDER", unicode_escaped + ESCAPED_SECRETS["json-unicode"][8:]) + "\n",
        "escaped/values.yaml": 'aws:\n  secret_access_key: "' + hex_escaped + ESCAPED_SECRETS["yaml-hex"][6:] + '"\n',
        "escaped/.env.production": "DATABASE_URL=postgres://billing:"
        + urllib.parse.quote(ESCAPED_SECRETS["url-percent"], safe="") + "@db.internal:5432/billing\n",
        "escaped/.env.local": "DB_PASSWORD=" + ESCAPED_SECRETS["xml-specials"] + "\n",
        "escaped/secret.yaml": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: aws\ntype: Opaque\ndata:\n"
        f"  AWS_SECRET_ACCESS_KEY: {k8s}\n",
    }


def test_the_escaped_spellings_are_found(corpus: tuple[Path, list[str]]) -> None:
    """Each planted spelling produces a finding, so every output really is exercised by it."""
    root, _ = corpus
    found = {f.path for f in scan_paths([str(root / "escaped")], Config(), use_git=False, jobs=1).findings}
    assert {Path(p).name for p in found} == {Path(n).name for n in escaped_corpus()}


@pytest.mark.parametrize(
    "spelling",
    [
        lambda v: "".join(f"\\u{ord(c):04X}" for c in v[:5]) + v[5:],  # JSON/YAML, partly escaped
        lambda v: "".join(f"\\x{b:02x}" for b in v.encode()),  # C / YAML hex escapes
        lambda v: urllib.parse.quote(v, safe=""),  # percent-encoding of the reserved characters
        lambda v: "".join(f"%{b:02X}" for b in v.encode()),  # percent-encoding of every byte
        lambda v: html.escape(v, quote=True),  # XML/HTML entities (JUnit, SARIF-in-HTML)
        lambda v: json.dumps(json.dumps(v)),  # JSON inside JSON: escaped twice
        lambda v: base64.b64encode(b"prefix:" + v.encode() + b":suffix").decode(),  # inside base64
        lambda v: base64.urlsafe_b64encode(b"ab" + v.encode()).decode(),
    ],
    ids=["unicode", "hex", "percent-reserved", "percent-all", "xml-entities", "json-twice", "base64", "base64url"],
)
def test_every_spelling_is_caught(spelling: object) -> None:
    """The checker itself: each escaped or encoded spelling of a secret counts as a leak."""
    assert callable(spelling)
    for secret in ESCAPED_SECRETS.values():
        with pytest.raises(AssertionError, match="leaks a secret"):
            assert_no_leak(f"report: {spelling(secret)} end", [secret], "sample")
    assert_no_leak("report: ghp_***** end", list(ESCAPED_SECRETS.values()), "redacted sample")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    root = tmp_path_factory.mktemp("corpus")
    git(root, "init", "-q")
    _write_corpus(root)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "secrets everywhere")
    found = scan_paths([str(root)], Config(), use_git=True, jobs=1).findings
    secrets = sorted({f.secret.reveal() for f in found} | set(ESCAPED_SECRETS.values()))
    assert len(secrets) >= 8, "the corpus must exercise the scanner"
    return root, secrets


def leak_forms(secret: str) -> list[bytes]:
    """What may not appear: the value, the part of it redaction never shows, and its base64 at
    each of the three alignments it can take inside a longer base64 text (standard and URL-safe
    alphabets). Escaped spellings are caught by reading the output through :func:`decoded_views`."""
    raw = secret.encode("utf-8", "surrogateescape")
    forms = [raw]
    if len(secret) >= 12:
        forms.append(secret[4:].encode("utf-8", "surrogateescape"))
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + raw)
        # Only the characters every surrounding byte leaves alone: drop the groups that mix in
        # the padding in front and whatever follows the value.
        core = encoded[4 if shift else 0 : -4] if len(raw) >= 12 else encoded
        forms += [core, core.replace(b"+", b"-").replace(b"/", b"_")]
    return [form for form in forms if form]


_ESCAPE = re.compile(rb"\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|x[0-9a-fA-F]{2}|[/\"'\\])")


def _unescape(data: bytes) -> bytes:
    """JSON, YAML double-quoted, Python and C escapes: ``\\u0040``, ``\\x40``, ``\\/``..."""
    def one(match: re.Match[bytes]) -> bytes:
        token = match.group(1)
        if token[:1] in (b"u", b"U"):
            return chr(int(token[1:], 16)).encode("utf-8", "surrogatepass")
        if token[:1] == b"x":
            return bytes([int(token[1:], 16)])
        return token

    return _ESCAPE.sub(one, data)


def decoded_views(data: bytes) -> list[bytes]:
    """The output as written, and as it reads once its escapes are undone: JSON/YAML/C escapes
    (twice, for JSON inside JSON), percent-encoding, and HTML/XML character references."""
    once = _unescape(data)
    views = [data, once, _unescape(once), urllib.parse.unquote_to_bytes(data)]
    views.append(html.unescape(data.decode("utf-8", "surrogateescape")).encode("utf-8", "surrogateescape"))
    views.append(urllib.parse.unquote_to_bytes(once))
    return views


def assert_no_leak(output: str | bytes, secrets: list[str], where: str) -> None:
    data = output.encode("utf-8", "surrogateescape") if isinstance(output, str) else output
    views = decoded_views(data)
    for secret in secrets:
        for form in leak_forms(secret):
            for view in views:
                assert form not in view, f"{where} leaks a secret ({SecretValue(secret)!r}) in some spelling"


def _snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


def _new_or_changed(before: dict[str, bytes], root: Path) -> dict[str, bytes]:
    after = _snapshot(root)
    return {path: data for path, data in after.items() if before.get(path) != data}


# -- every command, every format ---------------------------------------------------------------
SCAN_INVOCATIONS = [  # each report format to stdout: test_every_report_format_has_no_secret
    pytest.param(["scan", "--no-git", "--jobs", "2", "--format", "json", "."], id="scan-parallel"),
    pytest.param(["rules"], id="rules"),
    pytest.param(["rules", "--format", "json"], id="rules-json"),
]


@pytest.mark.parametrize("args", SCAN_INVOCATIONS)
def test_command_output_has_no_secret(corpus: tuple[Path, list[str]], args: list[str]) -> None:
    root, secrets = corpus
    proc = run_cli(*args, cwd=root)
    assert proc.returncode in (0, 1), proc.stderr
    assert_no_leak(proc.stdout, secrets, f"stdout of {args}")
    assert_no_leak(proc.stderr, secrets, f"stderr of {args}")


@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_report_files_have_no_secret(corpus: tuple[Path, list[str]], tmp_path: Path, fmt: str) -> None:
    root, secrets = corpus
    report = tmp_path / f"report.{fmt}"
    proc = run_cli("scan", "--format", fmt, "--output", str(report), ".", cwd=root)
    assert proc.returncode == 1, proc.stderr
    assert report.stat().st_size > 0
    assert_no_leak(report.read_bytes(), secrets, str(report))
    assert_no_leak(proc.stdout + proc.stderr, secrets, "console")


def test_every_registered_command_is_run(work: tuple[Path, list[str]], tmp_path: Path) -> None:
    """Commands landing later are covered too: each runs over (a copy of) the corpus with a
    generic invocation (its exit code is its business; what it prints and writes is ours)."""
    root, secrets = work
    before = _snapshot(root)
    for name in COMMANDS:
        for args in ([name, "--help"], [name], [name, "."], [name, "--format", "json", "."]):
            proc = run_cli(*args, cwd=root, env={"HOME": str(tmp_path / "home")})
            assert "Traceback" not in proc.stderr, (args, proc.stderr[-2000:])
            assert_no_leak(proc.stdout, secrets, f"stdout of {args}")
            assert_no_leak(proc.stderr, secrets, f"stderr of {args}")
    for path, data in _new_or_changed(before, root).items():
        assert_no_leak(data, secrets, f"file {path} written by a command")
    for path in (root / ".git").rglob("*"):  # hooks installed, logs
        if path.is_file() and "objects" not in path.parts and path.name != "index":
            assert_no_leak(path.read_bytes(), secrets, str(path))
    for path in (tmp_path / "home").rglob("*"):  # anything a command put in HOME (logs, caches)
        if path.is_file():
            assert_no_leak(path.read_bytes(), secrets, str(path))


# -- --show-secrets ------------------------------------------------------------------------------
def test_show_secrets_refused_for_pipe_and_file(corpus: tuple[Path, list[str]], tmp_path: Path) -> None:
    root, secrets = corpus
    piped = run_cli("scan", "--show-secrets", ".", cwd=root)
    assert piped.returncode == 2 and "terminal" in piped.stderr
    assert_no_leak(piped.stdout + piped.stderr, secrets, "refused --show-secrets")
    out = tmp_path / "r.json"
    filed = run_cli("scan", "--show-secrets", "--format", "json", "--output", str(out), ".", cwd=root)
    assert filed.returncode == 2 and not out.exists()


def _run_on_terminal(args: list[str], cwd: Path) -> tuple[int, bytes]:
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "secretshift", *args], cwd=cwd, stdin=subprocess.DEVNULL,
        stdout=slave, stderr=subprocess.PIPE,
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    proc.wait(timeout=120)
    assert proc.stderr is not None
    proc.stderr.close()
    return proc.returncode, b"".join(chunks)


@pytest.mark.subprocess
def test_show_secrets_on_a_terminal_shows_them(corpus: tuple[Path, list[str]]) -> None:
    root, _ = corpus
    token = github_token(902)
    code, shown = _run_on_terminal(["scan", "--show-secrets", "settings.py"], root)
    assert code == 1
    assert token.encode() in shown
    code, hidden = _run_on_terminal(["scan", "settings.py"], root)
    assert code == 1
    assert token.encode() not in hidden and token[:4].encode() in hidden


# -- in-process: reprs, pickling, logging, exceptions -------------------------------------------
@pytest.fixture(scope="module")
def findings(corpus: tuple[Path, list[str]]) -> list[Finding]:
    root, _ = corpus
    return scan_paths([str(root)], Config(), use_git=True, jobs=1).findings


def test_finding_reprs_and_dicts_have_no_secret(findings: list[Finding], corpus: tuple[Path, list[str]]) -> None:
    _, secrets = corpus
    for finding in findings:
        copied = copy.deepcopy(finding)
        unpickled = pickle.loads(pickle.dumps(finding))
        assert unpickled == finding and unpickled.secret.reveal() == finding.secret.reveal()
        for text in (
            repr(finding), str(finding), f"{finding}", format(finding.secret, ""), str(finding.secret),
            repr(finding.secret), json.dumps(finding.to_dict()), repr(finding.to_dict()),
            repr(copied), repr(unpickled), repr([finding]), repr({finding.rule: finding}),
        ):
            assert_no_leak(text, secrets, f"repr of a {finding.rule} finding")


def test_logging_a_finding_has_no_secret(findings: list[Finding], corpus: tuple[Path, list[str]],
                                         caplog: pytest.LogCaptureFixture) -> None:
    _, secrets = corpus
    logger = logging.getLogger("secretshift.test")
    with caplog.at_level(logging.DEBUG, logger="secretshift.test"):
        for finding in findings:
            logger.warning("found %s / %r / %s", finding, finding.secret, finding.to_dict())
            try:
                json.dumps({"secret": finding.secret})
            except TypeError as exc:
                logger.exception("not serialisable: %s", exc)
    assert_no_leak(caplog.text, secrets, "log records")


@pytest.mark.subprocess
def test_internal_error_prints_no_exception_message(tmp_path: Path) -> None:
    # A bug whose message quotes a secret: the CLI boundary prints only the exception's type.
    token = github_token(950)
    (tmp_path / "boom_command.py").write_text(
        "def add_arguments(parser):\n    pass\n\n"
        f"def run(args):\n    raise ValueError('bad value {token}')\n"
    )
    program = (
        "import sys; sys.path.insert(0, sys.argv[1]); import secretshift.cli as cli\n"
        "cli.COMMANDS['boom'] = ('boom_command', 'fails'); raise SystemExit(cli.main(['boom']))\n"
    )
    proc = subprocess.run([sys.executable, "-c", program, str(tmp_path)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "internal error (ValueError)" in proc.stderr
    assert_no_leak(proc.stdout + proc.stderr, [token], "internal error")
    debug = subprocess.run([sys.executable, "-c", program, str(tmp_path)], capture_output=True, text=True,
                           env={**os.environ, "SECRETSHIFT_DEBUG": "1"})
    assert "Traceback" in debug.stderr  # the opt-in for debugging


def test_user_errors_name_no_secret(corpus: tuple[Path, list[str]], tmp_path: Path) -> None:
    _, secrets = corpus
    token = secrets[0]
    bad_toml = tmp_path / "bad.toml"
    bad_toml.write_text(f'[tool.secretshift]\ndisable = "{token}\n')  # unterminated string
    unknown = tmp_path / "unknown.toml"
    unknown.write_text(f'[tool.secretshift]\nmystery = "{token}"\n')
    for config in (bad_toml, unknown):
        proc = run_cli("scan", "--config", str(config), str(tmp_path))
        assert proc.returncode == 2, proc.stderr
        assert_no_leak(proc.stderr + proc.stdout, secrets, f"error for {config.name}")


# -- hashes ----------------------------------------------------------------------------------------
def test_default_hash_is_detect_secrets_sha1(findings: list[Finding], monkeypatch: pytest.MonkeyPatch) -> None:
    from detect_secrets.core.potential_secret import PotentialSecret

    monkeypatch.delenv(HASH_KEY_ENV, raising=False)
    for finding in findings:
        assert finding.secret_hash == PotentialSecret.hash_secret(finding.secret.reveal())


def test_keyed_hash_in_reports(corpus: tuple[Path, list[str]]) -> None:
    root, _ = corpus
    key = "k" * 8 + "0123456789abcdef"
    keyed = run_cli("scan", "--format", "json", "settings.py", cwd=root, env={HASH_KEY_ENV: key})
    plain = run_cli("scan", "--format", "json", "settings.py", cwd=root, env={HASH_KEY_ENV: ""})
    (k,) = json.loads(keyed.stdout)["findings"]
    (p,) = json.loads(plain.stdout)["findings"]
    token = github_token(902)
    assert k["secret_hash"] == hash_value(token, key.encode())
    assert k["secret_hash"].startswith("hmac-sha256:") and k["secret_hash"] != p["secret_hash"]
    sarif = run_cli("scan", "--format", "sarif", "settings.py", cwd=root, env={HASH_KEY_ENV: key})
    fingerprint = json.loads(sarif.stdout)["runs"][0]["results"][0]["partialFingerprints"]
    assert list(fingerprint.values()) == [k["secret_hash"]]


def test_short_hash_key_is_refused(corpus: tuple[Path, list[str]]) -> None:
    root, _ = corpus
    proc = run_cli("scan", "--format", "json", "settings.py", cwd=root, env={HASH_KEY_ENV: "short"})
    assert proc.returncode == 2
    assert "at least 16" in proc.stderr and "short" not in proc.stderr.split(HASH_KEY_ENV)[-1]


@pytest.mark.parametrize(
    ("recorded", "key", "ok"),
    [("sha1", "", True), ("hmac-sha256", "x" * 20, True), ("hmac-sha256", "", False), ("sha1", "x" * 20, False)],
)
def test_baseline_scheme_mismatch_is_an_error(recorded: str, key: str, ok: bool) -> None:
    run_key = hash_key({HASH_KEY_ENV: key})
    if ok:
        check_scheme(recorded, ".secrets.baseline", run_key)
    else:
        with pytest.raises(FatalError, match=HASH_KEY_ENV):
            check_scheme(recorded, ".secrets.baseline", run_key)


# -- the commands that landed with hooks, CI and migration -----------------------------------------
@pytest.fixture
def work(corpus: tuple[Path, list[str]], tmp_path: Path) -> tuple[Path, list[str]]:
    """A private copy of the corpus repository, for commands that write."""
    root, secrets = corpus
    copy_root = tmp_path / "work"
    shutil.copytree(root, copy_root, symlinks=True)
    return copy_root, secrets


def _formats() -> list[str]:
    from secretshift.report import reporters

    return sorted(reporters())


@pytest.mark.parametrize("fmt", _formats())
def test_every_report_format_has_no_secret(corpus: tuple[Path, list[str]], fmt: str) -> None:
    root, secrets = corpus
    proc = run_cli("scan", "--format", fmt, ".", cwd=root)
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.strip()
    assert_no_leak(proc.stdout + proc.stderr, secrets, f"scan --format {fmt}")


def test_baseline_files_have_no_secret(work: tuple[Path, list[str]]) -> None:
    root, secrets = work
    created = run_cli("baseline", "create", ".", cwd=root)
    assert created.returncode == 0, created.stderr
    baseline = root / ".secrets.baseline"
    entries = [e for items in json.loads(baseline.read_text())["results"].values() for e in items]
    assert len(entries) >= len(secrets) // 2
    (root / "new.env").write_text(f"GITHUB_TOKEN={github_token(960)}\n")
    updated = run_cli("baseline", "update", ".", cwd=root)
    audited = run_cli("baseline", "audit", "--report", cwd=root)
    for proc in (created, updated, audited):
        assert "Traceback" not in proc.stderr
        assert_no_leak(proc.stdout + proc.stderr, [*secrets, github_token(960)], "baseline command")
    assert_no_leak(baseline.read_bytes(), [*secrets, github_token(960)], ".secrets.baseline")


def test_hook_output_has_no_secret(work: tuple[Path, list[str]]) -> None:
    root, secrets = work
    token = github_token(961)
    (root / "staged.env").write_text(f"GITHUB_TOKEN={token}\n")
    git(root, "add", "staged.env")
    staged = run_cli("hook", cwd=root)
    assert staged.returncode == 1, staged.stderr
    named = run_cli("hook", "settings.py", ".env", cwd=root)
    assert named.returncode == 1, named.stderr
    for proc in (staged, named):
        assert_no_leak(proc.stdout + proc.stderr, [*secrets, token], "hook")


def test_ci_reports_have_no_secret(work: tuple[Path, list[str]], tmp_path: Path) -> None:
    root, secrets = work
    base = git(root, "rev-parse", "HEAD").strip()
    token = github_token(962)
    (root / "pr.env").write_text(f"GITHUB_TOKEN={token}\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "pull request", "--no-verify")
    out = tmp_path / "reports"
    out.mkdir()
    extra = [arg for fmt in _formats() for arg in ("--report", f"{fmt}={out / ('r.' + fmt)}")]
    proc = run_cli("ci", "--base", base, "--head", "HEAD", "--repo", str(root), "--sarif", str(out / "c.sarif"),
                   *extra, cwd=root, env={"GITHUB_ACTIONS": "", "GITLAB_CI": "", "GITHUB_STEP_SUMMARY": ""})
    assert proc.returncode == 1, proc.stderr
    assert token[:4] in proc.stdout + proc.stderr
    assert_no_leak(proc.stdout + proc.stderr, [*secrets, token], "ci")
    written = list(out.iterdir())
    assert len(written) == len(_formats()) + 1
    for path in written:
        assert_no_leak(path.read_bytes(), [*secrets, token], str(path))


def test_migration_leaks_nothing(git_repo: Path, asm: str, tmp_path: Path) -> None:
    from tests.migrate_repo import make_sample_repo

    repo = make_sample_repo(git_repo)
    values = list(repo.values.values())
    plan = tmp_path / "plan.json"
    outputs = [
        run_cli("migrate", "plan", "--out", str(plan), cwd=git_repo),
        run_cli("migrate", "plan", cwd=git_repo),  # the summary with its diff preview
        run_cli("migrate", "apply", str(plan), "--endpoint-url", asm, "--dry-run", cwd=git_repo),
        run_cli("migrate", "apply", str(plan), "--endpoint-url", asm, "--yes", cwd=git_repo),
        run_cli("migrate", "apply", str(plan), "--endpoint-url", asm, "--yes", cwd=git_repo),  # a re-run
        run_cli("rotation", "check", "--endpoint-url", asm, cwd=git_repo),
    ]
    for proc in outputs:
        assert "Traceback" not in proc.stderr, proc.stderr
        assert_no_leak(proc.stdout + proc.stderr, values, f"migrate: {proc.args[3:5]}")
    assert outputs[3].returncode == 0, outputs[3].stderr
    assert_no_leak(plan.read_bytes(), values, "the plan file")
    for path in git_repo.rglob("*"):  # rewritten files, IAM policy, runbook, requirements
        if path.is_file() and ".git" not in path.relative_to(git_repo).parts:
            assert_no_leak(path.read_bytes(), values, str(path.relative_to(git_repo)))


def test_migrate_plan_of_escaped_spellings_leaks_nothing(work: tuple[Path, list[str]], tmp_path: Path) -> None:
    """`migrate plan` over the escaped corpus: its summary, diff preview and plan file."""
    root, secrets = work
    plan = tmp_path / "plan.json"
    outputs = [run_cli("migrate", "plan", "escaped", "--out", str(plan), cwd=root),
               run_cli("migrate", "plan", "escaped", cwd=root)]
    for proc in outputs:
        assert "Traceback" not in proc.stderr, proc.stderr
        assert_no_leak(proc.stdout + proc.stderr, secrets, f"migrate plan: {proc.args[3:]}")
    assert plan.exists(), outputs[0].stderr
    assert_no_leak(plan.read_bytes(), secrets, "plan.json of the escaped corpus")


# -- keyed hashes through the baseline --------------------------------------------------------------
def test_keyed_baseline_round_trip(work: tuple[Path, list[str]]) -> None:
    root, secrets = work
    key = {HASH_KEY_ENV: "team-key-" + "7" * 24}
    assert run_cli("baseline", "create", ".", cwd=root, env=key).returncode == 0
    document = json.loads((root / ".secrets.baseline").read_text())
    hashes = [e["hashed_secret"] for items in document["results"].values() for e in items]
    assert hashes and all(h.startswith("hmac-sha256:") for h in hashes)
    assert run_cli("hook", "settings.py", cwd=root, env=key).returncode == 0  # accepted in the baseline
    unkeyed = run_cli("hook", "settings.py", cwd=root, env={HASH_KEY_ENV: ""})
    assert unkeyed.returncode == 2 and HASH_KEY_ENV in unkeyed.stderr
    wrong_scheme = run_cli("baseline", "create", "--force", ".", cwd=root, env={HASH_KEY_ENV: ""})
    assert wrong_scheme.returncode in (0, 2)  # re-creating without the key is allowed or refused, never mixed
    if wrong_scheme.returncode == 0:
        plain = json.loads((root / ".secrets.baseline").read_text())
        assert not any(e["hashed_secret"].startswith("hmac") for items in plain["results"].values() for e in items)
