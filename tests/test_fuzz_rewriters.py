"""Property-based fuzzing of the rewriters (every one in the registry at test time).

Files are generated around planted secrets; the scanner finds the references, as in a real
migration. For every rewrite: the value is gone, the file still parses, a rewrite is
deterministic, rewriting the output again with nothing left to migrate changes nothing, and a
stale plan (the original references) applied to the output is refused or changes nothing,
never corrupts the file.
"""
from __future__ import annotations

import ast
import json
import os
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from secretshift.config import Config
from secretshift.migrate.rewriters import registry
from secretshift.migrate.rewriters.base import Reference, RewriteRefused, Rewriter, RewriteSettings
from secretshift.models import Blob
from secretshift.scanner.build import build_engine
from tests.planted import aws_key_id, github_token

ENGINE = build_engine(Config())
FUZZ = settings(
    max_examples=int(os.environ.get("SECRETSHIFT_FUZZ_EXAMPLES", "60")),
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
tokens = st.integers(0, 10_000).flatmap(lambda n: st.sampled_from([github_token(n), aws_key_id(n)]))
names = st.from_regex(r"[A-Z][A-Z0-9_]{0,12}", fullmatch=True)

# -- file generators per kind ------------------------------------------------------------------
_PY_NOISE = [
    "import os", "import json as _json", "x = 1", "# a comment", "print('hello')", "",
    "def f(a, b=2):\n    return a + b", "class C:\n    attr = 'plain text'", 'DOC = """multi\nline"""',
    "if os.environ.get('DEBUG'):\n    x = 2", "items = [1, 2, 3]  # trailing",
]


@st.composite
def python_files(draw: st.DrawFn) -> str:
    lines = []
    if draw(st.booleans()):
        lines.append('"""Module docstring."""')
    if draw(st.booleans()):
        lines.append("from __future__ import annotations")
    for _ in range(draw(st.integers(1, 4))):
        lines.extend(draw(st.lists(st.sampled_from(_PY_NOISE), max_size=3)))
        name, token = draw(names), draw(tokens)
        quote = draw(st.sampled_from(['"', "'"]))
        form = draw(st.sampled_from([
            "{n} = {q}{t}{q}", "{n} = {q}{t}{q}  # note", "CONFIG_{n} = {{{q}key{q}: {q}{t}{q}}}",
            "connect(token={q}{t}{q})", "def g():\n    {n} = {q}{t}{q}\n    return {n}",
        ]))
        lines.append(form.format(n=name, q=quote, t=token))
    return "\n".join(lines) + "\n"


_ENV_NOISE = ["# settings", "", "DEBUG=1", "PORT=8080", "export PATH_EXTRA=/opt/bin", "NAME='plain value'"]


@st.composite
def dotenv_files(draw: st.DrawFn) -> str:
    lines = []
    for _ in range(draw(st.integers(1, 5))):
        lines.extend(draw(st.lists(st.sampled_from(_ENV_NOISE), max_size=3)))
        name, token = draw(names), draw(tokens)
        form = draw(st.sampled_from(["{n}={t}", "export {n}={t}", '{n}="{t}"', "{n}='{t}'", "{n}={t}  # ci", "{n} = {t}"]))
        lines.append(form.format(n=name, t=token))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    return newline.join(lines) + draw(st.sampled_from(["", newline]))


def _parses_python(text: str) -> None:
    ast.parse(text)


def _parses_dotenv(text: str) -> None:
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            assert "=" in stripped, f"not a KEY=VALUE line: {line!r}"


GENERATORS: dict[str, tuple[str, st.SearchStrategy[str], Callable[[str], None]]] = {
    "python": ("app/settings.py", python_files(), _parses_python),
    "dotenv": (".env", dotenv_files(), _parses_dotenv),
}
PARSERS: dict[str, Callable[[str], None]] = {".py": _parses_python, ".json": json.loads}


# -- the properties ------------------------------------------------------------------------------
def _references(path: str, text: str) -> list[Reference]:
    refs = []
    for finding in ENGINE.scan(Blob(path, text.encode())):
        key = finding.key or "value"
        refs.append(Reference(path, finding.line, finding.column, finding.end_line, finding.end_column,
                              "app/prod/fuzz", key, key=finding.key, rule=finding.rule))
    return sorted(refs, key=lambda r: (r.line, r.column))


def check_rewrite(rewriter: Rewriter, path: str, text: str, parses: Callable[[str], None] | None) -> bool:
    """Checks every property; False when the rewriter refuses the file (allowed)."""
    refs = _references(path, text)
    if not refs:
        return False
    if parses is not None:
        try:
            parses(text)
        except Exception:  # a fragment (a rule example) that never parsed: nothing to keep parseable
            parses = None
    values = [text.splitlines()[r.line - 1] for r in refs]  # for messages only: lines, not values
    settings_ = RewriteSettings(region="us-east-1")
    try:
        first = rewriter.rewrite(path, text, refs, settings_)
    except RewriteRefused as exc:
        assert str(exc), "a refusal must say why"
        return False
    for finding in ENGINE.scan(Blob(path, text.encode())):
        assert finding.secret.reveal() not in first.text, f"{rewriter.name} left a value in place: {values}"
    if parses is not None:
        parses(first.text)
    assert rewriter.rewrite(path, text, refs, settings_).text == first.text, "not deterministic"
    assert _references(path, first.text) == [], "the rewritten file still holds a secret"
    again = rewriter.rewrite(path, first.text, [], settings_)
    assert again.text == first.text, "rewriting with nothing to migrate changed the file"
    try:
        stale = rewriter.rewrite(path, first.text, refs, settings_)
    except RewriteRefused:
        return True
    assert stale.text == first.text, "a stale plan re-applied to the rewritten file changed it"
    return True


REWRITERS = {r.name: r for r in registry()}


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_generated_files_rewrite_cleanly(name: str) -> None:
    assert name in REWRITERS, f"a generator for {name}, but no such rewriter is registered"
    rewriter = REWRITERS[name]
    path, strategy, parses = GENERATORS[name]
    rewritten = []

    @FUZZ
    @given(text=strategy)
    def run(text: str) -> None:
        assert rewriter.applies_to(path, text)
        rewritten.append(check_rewrite(rewriter, path, text, parses))

    run()
    assert any(rewritten), f"{name}: every generated file was refused; the generator tests nothing"


def _example_cases() -> list[tuple[str, str, str]]:
    """(rewriter, path, text) for every rule positive example a registered rewriter claims."""
    from secretshift.scanner.rules import builtin_rules, detector_rules

    cases = []
    for rule in [*builtin_rules(), *detector_rules()]:
        for example in rule.positives:
            for rewriter in registry():
                if rewriter.applies_to(example.path, example.text):
                    cases.append((rewriter.name, example.path, example.text + "\n"))
                    break
    return cases


EXAMPLES = _example_cases()


@pytest.mark.parametrize(("name", "path", "text"), EXAMPLES, ids=[f"{n}:{p}#{i}" for i, (n, p, _) in enumerate(EXAMPLES)])
def test_rule_examples_rewrite_cleanly(name: str, path: str, text: str) -> None:
    parses = PARSERS.get(os.path.splitext(path)[1])
    check_rewrite(REWRITERS[name], path, text, parses)


# Rewriters with no file generator above yet (covered by the rule examples only). This set only
# shrinks: a new rewriter comes with its generator, and a rewriter that gains one leaves the set.
UNFUZZED = {
    "cloudformation", "compose", "dockerfile", "ecs-task", "env-placeholder", "github-workflow", "go", "java",
    "javascript", "k8s-secret", "structured-config", "terraform",
    "helm",  # reads the chart around values.yaml (Chart.yaml, templates/): needs a chart generator
}


def test_every_rewriter_is_fuzzed() -> None:
    assert set(REWRITERS) - set(GENERATORS) == UNFUZZED
