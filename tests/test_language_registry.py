"""The one language registry (`plugins/filekind.py` KINDS) agrees with everything derived from it
and with the migration's rewriters: adding a rewriter without its row, or a row naming a rewriter
that does not exist, fails here."""
from __future__ import annotations

from collections import Counter

import pytest

from secretshift.commands import migrate_interactive
from secretshift.migrate import plan
from secretshift.migrate.rewriters import registry, rewriter_for
from secretshift.plugins.filekind import BY_NAME, CODE, CONFIG_BARE, DOCS, KINDS, MARKUP, family, path_kind, refine_kind

REWRITERS = {r.name for r in registry()}


def _samples(kind_name: str) -> list[str]:
    """Paths `path_kind` should read as this kind: one per extension and file name."""
    kind = BY_NAME[kind_name]
    paths = [f"app/settings.{ext}" for ext in (*kind.extensions, *kind.also)]
    paths += [f"home/user{name}" if name.startswith("/") else f"app/{name}" for name in kind.names]
    return paths


def test_names_are_unique() -> None:
    assert [name for name, n in Counter(k.name for k in KINDS).items() if n > 1] == []
    assert "unknown" not in BY_NAME  # path_kind's answer for what no row claims


def test_no_extension_or_file_name_is_claimed_twice() -> None:
    extensions = Counter(ext for k in KINDS for ext in (*k.extensions, *k.also))
    names = Counter(name for k in KINDS for name in k.names)
    assert [e for e, n in extensions.items() if n > 1] == []
    assert [e for e, n in names.items() if n > 1] == []
    # path_kind lower-cases the name before it looks: an upper-case entry would never match
    assert all(e == e.lower() and not e.startswith(".") for e in extensions)
    assert all(n == n.lower() for n in names)


@pytest.mark.parametrize("kind", [k.name for k in KINDS if k.extensions or k.names or k.also])
def test_path_kind_reads_every_extension_and_name_as_its_row(kind: str) -> None:
    # also catches an entry that path_kind's special cases (Dockerfile, .env, `.example`) shadow
    assert {p: path_kind(p) for p in _samples(kind)} == {p: kind for p in _samples(kind)}


def test_every_kind_refine_kind_returns_has_a_row() -> None:
    heads = [b"", b"AWSTemplateFormatVersion: x", b'{"AWS::S3::Bucket"}', b"apiVersion: v1\nkind: Secret",
             b'{"apiVersion": "v1", "kind": "Secret"}', b'{"containerDefinitions": []}', b'{"auths": {}}',
             b'resource "aws_db_instance" "x" {}']
    paths = ["app/x.yaml", ".github/workflows/ci.yml", "docker-compose.yml", "charts/app/values.yaml",
             "app/x.json", "app/x.hcl"]
    refined = {refine_kind(p, path_kind(p), head) for p in paths for head in heads}
    assert {"github-workflow", "cloudformation", "compose", "helm", "kubernetes", "ecs-task",
            "docker-config", "terraform"} <= refined
    assert refined - set(BY_NAME) == set()


def test_families_and_comment_settings_are_consistent() -> None:
    for kind in KINDS:
        assert kind.family in (CONFIG_BARE, CODE, MARKUP, DOCS), kind.name
        assert family(kind.name) == kind.family
        assert kind.leader in ("", "#", "//"), kind.name
        assert not kind.above or kind.leader, f"{kind.name}: a comment above needs a leader"


def test_every_rewriter_has_a_row_and_every_row_a_real_rewriter() -> None:
    named = {k.rewriter for k in KINDS if k.rewriter}
    assert REWRITERS - named == set(), "a rewriter no registry row names: add its kind to KINDS"
    assert named - REWRITERS == set(), "a row names a rewriter that registry() does not have"


@pytest.mark.parametrize("kind", [k.name for k in KINDS if k.extensions or k.names])
def test_the_row_names_the_rewriter_its_files_get(kind: str) -> None:
    """A file of this kind is rewritten by the row's rewriter or by none: a new rewriter for,
    say, Ruby fails here until the ruby row names it."""
    row = BY_NAME[kind]
    chosen = {p: getattr(rewriter_for(p, ""), "name", "") for p in _samples(kind) if p.rsplit(".", 1)[-1] not in row.also}
    assert set(chosen.values()) - {row.rewriter, ""} == set(), chosen
    if row.rewriter and row.extensions:
        assert row.rewriter in chosen.values(), f"{row.rewriter} rewrites none of {sorted(chosen)}"


def test_the_old_tables_are_derived_from_the_registry() -> None:
    assert plan.CODE_KINDS == {k.name for k in KINDS if k.literals}
    assert {"python", "javascript", "typescript", "go", "java", "notebook", "shell"} <= plan.CODE_KINDS
    assert "yaml" not in plan.CODE_KINDS and "terraform" not in plan.CODE_KINDS
    assert migrate_interactive._comment_style("app/main.py", "python") == ("#", False)
    assert migrate_interactive._comment_style("web/app.ts", "typescript") == ("//", False)
    assert migrate_interactive._comment_style("deploy/values.yaml", "helm") == ("#", True)
    assert migrate_interactive._comment_style("src/Main.kt", "kt") == ("//", False)  # by the ending
    assert migrate_interactive._comment_style("conf/app.properties", "properties") == ("#", True)
    assert migrate_interactive._comment_style("README.md", "docs") == (None, False)
    assert migrate_interactive._comment_style("data/dump.sql", "sql") == (None, False)
