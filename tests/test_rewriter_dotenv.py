"""The `.env` rewriter: pairs of "leaves this alone" / "rewrites this to that"."""
from __future__ import annotations

import pytest

from secretshift.migrate.rewriters import rewriter_for
from secretshift.migrate.rewriters.base import Reference, RewriteRefused, RewriteSettings
from secretshift.migrate.rewriters.dotenv import DotenvRewriter

REWRITER = DotenvRewriter()
NAME = "shop/prod/env"


def _ref(text: str, value: str, key: str) -> Reference:
    index = text.index(value)
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return Reference(".env", line, column, line, column + len(value), NAME, key)


def _comment(key: str) -> str:
    return f'# {key}: in AWS Secrets Manager, secret "{NAME}", JSON key "{key}"'


REWRITES = [
    pytest.param("TOKEN=s3cr3tvalue\n", "s3cr3tvalue", "TOKEN", f"{_comment('TOKEN')}\nTOKEN=\n", id="bare"),
    pytest.param('TOKEN="s3cr3tvalue"\n', "s3cr3tvalue", "TOKEN", f"{_comment('TOKEN')}\nTOKEN=\n", id="double-quoted"),
    pytest.param("TOKEN='s3cr3tvalue'\n", "s3cr3tvalue", "TOKEN", f"{_comment('TOKEN')}\nTOKEN=\n", id="single-quoted"),
    pytest.param("export TOKEN=s3cr3tvalue\n", "s3cr3tvalue", "TOKEN", f"{_comment('TOKEN')}\nexport TOKEN=\n", id="export"),
    pytest.param("TOKEN = s3cr3tvalue  # prod\n", "s3cr3tvalue", "TOKEN", f"{_comment('TOKEN')}\nTOKEN =   # prod\n",
                 id="inline-comment-kept"),
    pytest.param("A=1\nTOKEN=s3cr3tvalue\nB=2", "s3cr3tvalue", "TOKEN", f"A=1\n{_comment('TOKEN')}\nTOKEN=\nB=2",
                 id="middle-no-final-newline"),
    pytest.param("  TOKEN=s3cr3tvalue\n", "s3cr3tvalue", "TOKEN", f"  {_comment('TOKEN')}\n  TOKEN=\n", id="indented"),
]


@pytest.mark.parametrize(("text", "value", "key", "expected"), REWRITES)
def test_rewrites_this_to_that(text: str, value: str, key: str, expected: str) -> None:
    result = REWRITER.rewrite(".env", text, [_ref(text, value, key)], RewriteSettings())
    assert result.text == expected
    assert value not in result.text


@pytest.mark.parametrize("text", [
    pytest.param("DEBUG=1\n# a comment\n", id="no-refs"),
    pytest.param(f"{_comment('TOKEN')}\nTOKEN=\n", id="already-rewritten"),
])
def test_leaves_this_alone(text: str) -> None:
    assert REWRITER.rewrite(".env", text, [], RewriteSettings()).text == text


def test_is_idempotent_when_a_rewritten_key_is_migrated_again() -> None:
    once = REWRITER.rewrite(".env", "TOKEN=s3cr3tvalue\n", [_ref("TOKEN=s3cr3tvalue\n", "s3cr3tvalue", "TOKEN")],
                            RewriteSettings()).text
    # A value that reappears under the same key is rewritten without a second comment.
    again_text = once.replace("TOKEN=\n", "TOKEN=n3wvalue\n")
    twice = REWRITER.rewrite(".env", again_text, [_ref(again_text, "n3wvalue", "TOKEN")], RewriteSettings()).text
    assert twice == once


def test_refuses_a_secret_inside_a_larger_value() -> None:
    text = "DATABASE_URL=postgres://app:s3cr3tvalue@db/app\n"  # secretshift: allow
    with pytest.raises(RewriteRefused, match="part of a larger value"):
        REWRITER.rewrite(".env", text, [_ref(text, "s3cr3tvalue", "DATABASE_URL")], RewriteSettings())


@pytest.mark.parametrize(("path", "expected"), [
    (".env", "dotenv"), ("svc/.env.production", "dotenv"), ("prod.env", "dotenv"),
    ("app/settings.py", "python"), ("notes.txt", None),
])
def test_registry_picks_the_rewriter_by_path(path: str, expected: str | None) -> None:
    rewriter = rewriter_for(path, "")
    assert (rewriter.name if rewriter else None) == expected
