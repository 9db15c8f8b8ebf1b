from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from secretshift.migrate.rewriters.base import RewriteRefused
from secretshift.migrate.rewriters.golang import HELPER_FILE, GoRewriter
from secretshift.migrate.rewriters.java import JavaRewriter
from tests.rewriters.support import SETTINGS, ref_to, rewrite_twice, tree_sitter_errors

GO = """\
package store

import (
\t"database/sql"
\t"fmt"
)

var dbPassword = "go-pa55word-abcdef123456"

func Open() (*sql.DB, error) {
\treturn sql.Open("postgres", fmt.Sprintf("user=shop password=%s", `go-token-0f9e8d7c6b5a`))
}
"""
GO_EXPECTED = """\
package store

import (
\t"database/sql"
\t"fmt"
)

var dbPassword = awsSecretValue("shop/prod/go", "db_password")

func Open() (*sql.DB, error) {
\treturn sql.Open("postgres", fmt.Sprintf("user=shop password=%s", awsSecretValue("shop/prod/go", "token")))
}
"""


def test_go_literals_become_helper_calls() -> None:
    pytest.importorskip("tree_sitter_go")
    refs = [ref_to(GO, "go-pa55word-abcdef123456", "shop/prod/go", "db_password", "internal/store/db.go"),
            ref_to(GO, "go-token-0f9e8d7c6b5a", "shop/prod/go", "token", "internal/store/db.go")]
    result = rewrite_twice(GoRewriter(), "internal/store/db.go", GO, refs)
    assert result.text == GO_EXPECTED
    (helper_path, helper), = result.extra_files.items()
    assert helper_path == f"internal/store/{HELPER_FILE}"
    assert helper.startswith("package store\n")
    assert "secretsmanager.NewFromConfig(cfg).GetSecretValue(ctx" in helper
    assert not tree_sitter_errors("go", result.text)
    assert not tree_sitter_errors("go", helper)
    # gofmt style: tabs for indentation, no trailing spaces.
    assert all(not line.startswith(" ") and line == line.rstrip() for line in helper.splitlines())


@pytest.mark.parametrize("text", [
    pytest.param('package x\n\nconst apiKey = "go-const-secret-1234567"\n\nconst other = apiKey + "x"\n',
                 id="const-used-by-another-const"),
    pytest.param('package x\n\nconst (\n\ta = 1\n\tapiKey = "go-const-secret-1234567"\n)\n', id="const-block"),
])
def test_go_const_is_refused(text: str) -> None:
    with pytest.raises(RewriteRefused, match="const"):
        GoRewriter().rewrite("x.go", text, [ref_to(text, "go-const-secret-1234567", "x", "k", "x.go")], SETTINGS)


def test_go_single_const_nothing_needs_becomes_a_var() -> None:
    text = 'package x\n\nconst apiKey = "go-const-secret-1234567"\n\nfunc f() string { return "Bearer " + apiKey }\n'
    result = GoRewriter().rewrite("x.go", text, [ref_to(text, "go-const-secret-1234567", "s", "k", "x.go")], SETTINGS)
    assert 'var apiKey = awsSecretValue("s", "k")' in result.text
    assert any("became a package-level var" in n for n in result.notes)


def test_go_var_after_a_closed_const_block_is_rewritten() -> None:
    text = 'package x\n\nconst (\n\ta = 1\n)\n\nvar apiKey = "go-var-secret-1234567"\n'
    result = GoRewriter().rewrite("x.go", text, [ref_to(text, "go-var-secret-1234567", "x", "k", "x.go")], SETTINGS)
    assert 'var apiKey = awsSecretValue("x", "k")' in result.text


JAVA = """\
package com.example.shop;

import java.sql.Connection;
import java.sql.DriverManager;

public class Database {
    private static final String PASSWORD = "java-pa55word-13572468";

    public Connection open() throws Exception {
        return DriverManager.getConnection("jdbc:postgresql://db/shop", "shop", PASSWORD);
    }
}
"""
JAVA_EXPECTED = JAVA.replace('"java-pa55word-13572468"', 'AwsSecrets.value("shop/prod/java", "password")')

# Just enough of the AWS SDK v2 surface the helper uses, to compile it without Maven.
STUBS = {
    "software/amazon/awssdk/services/secretsmanager/SecretsManagerClient.java": """
package software.amazon.awssdk.services.secretsmanager;
import software.amazon.awssdk.services.secretsmanager.model.*;
public interface SecretsManagerClient {
    static SecretsManagerClient create() { return null; }
    GetSecretValueResponse getSecretValue(GetSecretValueRequest request);
}""",
    "software/amazon/awssdk/services/secretsmanager/model/GetSecretValueRequest.java": """
package software.amazon.awssdk.services.secretsmanager.model;
public final class GetSecretValueRequest {
    public static Builder builder() { return new Builder(); }
    public static final class Builder {
        public Builder secretId(String id) { return this; }
        public GetSecretValueRequest build() { return new GetSecretValueRequest(); }
    }
}""",
    "software/amazon/awssdk/services/secretsmanager/model/GetSecretValueResponse.java": """
package software.amazon.awssdk.services.secretsmanager.model;
public final class GetSecretValueResponse { public String secretString() { return "{}"; } }""",
    "software/amazon/awssdk/protocols/jsoncore/JsonNode.java": """
package software.amazon.awssdk.protocols.jsoncore;
import java.util.Optional;
public interface JsonNode {
    static JsonNodeParser parser() { return null; }
    Optional<JsonNode> field(String child);
    String asString();
}""",
    "software/amazon/awssdk/protocols/jsoncore/JsonNodeParser.java": """
package software.amazon.awssdk.protocols.jsoncore;
public interface JsonNodeParser { JsonNode parse(byte[] content); }""",
}


def test_java_literal_becomes_helper_call_and_compiles(tmp_path: Path) -> None:
    path = "src/main/java/com/example/shop/Database.java"
    ref = ref_to(JAVA, "java-pa55word-13572468", "shop/prod/java", "password", path)
    result = rewrite_twice(JavaRewriter(), path, JAVA, [ref])
    assert result.text == JAVA_EXPECTED
    assert any("software.amazon.awssdk:secretsmanager" in note for note in result.notes)
    (helper_path, helper), = result.extra_files.items()
    assert helper_path == "src/main/java/com/example/shop/AwsSecrets.java"
    javac = shutil.which("javac")
    if javac is None:
        pytest.skip("javac is not installed")
    sources = {**STUBS, path: result.text, helper_path: helper}
    for name, content in sources.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(content)
    proc = subprocess.run([javac, "-d", str(tmp_path / "out"), *sources], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize(("text", "reason"), [
    pytest.param('class A {\n  @Value(key = "java-annotation-123456")\n  String k;\n}\n', "annotation", id="annotation"),
    pytest.param('class A {\n  static final String K = "java-annotation-123456";\n  int f(String s) {\n'
                 '    switch (s) { case K: return 1; default: return 0; }\n  }\n}\n', "case label", id="switch-case"),
])
def test_java_refuses_compile_time_constants(text: str, reason: str) -> None:
    with pytest.raises(RewriteRefused, match=reason):
        JavaRewriter().rewrite("A.java", text, [ref_to(text, "java-annotation-123456", "x", "k", "A.java")], SETTINGS)


def test_leaves_other_files_alone() -> None:
    assert not GoRewriter().applies_to("main.py", "")
    assert not JavaRewriter().applies_to("Main.kt", "")
    assert GoRewriter().rewrite("x.go", GO, [], SETTINGS).text == GO


def test_go_package_level_var_gets_a_startup_note() -> None:
    refs = [ref_to(GO, "go-pa55word-abcdef123456", "shop/prod/go", "db_password", "db.go"),
            ref_to(GO, "go-token-0f9e8d7c6b5a", "shop/prod/go", "token", "db.go")]
    notes = GoRewriter().rewrite("db.go", GO, refs, SETTINGS).notes
    assert [n for n in notes if "package-level var" in n] == [
        "db.go:8: a package-level var now reads the secret when the program starts (also under go test); "
        "consider calling awsSecretValue where it is used"]
