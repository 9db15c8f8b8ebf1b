"""Java -> ``AwsSecrets.value(id, key)``, a helper class over SDK v2 ``SecretsManagerClient``.

The helper class is written once per package directory (``AwsSecrets.java``, same package), so the
rewritten file needs no new imports. Refused where a call cannot stand: annotation values, and a
``static final`` constant used as a ``case`` label (both need compile-time constants).
"""
from __future__ import annotations

import json
import re
from collections.abc import Sequence

from secretshift.migrate.rewriters.base import Reference, RewriteRefused, RewriteResult, RewriteSettings
from secretshift.migrate.rewriters.common import apply_edits, beside, quoted_span

HELPER_CLASS = "AwsSecrets"
# `RewriteResult.requirements` lists Python packages (apply adds them to requirements.txt); other
# ecosystems' libraries are named in the notes instead.
REQUIREMENTS = ("software.amazon.awssdk:secretsmanager",)
_PACKAGE = re.compile(r"^\s*package\s+([\w.]+)\s*;", re.MULTILINE)
_SPRING_DEFAULT = re.compile(r"\$\{([\w.\-\[\]]+):")
_CONSTANT = re.compile(r"\bstatic\s+final\b[^=;{}]*?\b(\w+)\s*=\s*$|\bfinal\s+static\b[^=;{}]*?\b(\w+)\s*=\s*$")

HELPER = """\
{package}import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.protocols.jsoncore.JsonNode;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueRequest;

/** Reads migrated secrets from AWS Secrets Manager at run time, once per secret. */
final class AwsSecrets {{
    private static final Map<String, JsonNode> CACHE = new ConcurrentHashMap<>();
    private static SecretsManagerClient client;

    private AwsSecrets() {{
    }}

    private static synchronized SecretsManagerClient client() {{
        if (client == null) {{
            client = SecretsManagerClient.create();
        }}
        return client;
    }}

    static String value(String secretId, String jsonKey) {{
        JsonNode secret = CACHE.computeIfAbsent(secretId, id -> JsonNode.parser().parse(
                client().getSecretValue(GetSecretValueRequest.builder().secretId(id).build()).secretString()
                        .getBytes(StandardCharsets.UTF_8)));
        return secret.field(jsonKey).map(JsonNode::asString).orElseThrow(
                () -> new IllegalStateException("secret " + secretId + " has no key " + jsonKey));
    }}
}}
"""


class JavaRewriter:
    name = "java"

    def applies_to(self, path: str, text: str) -> bool:
        return path.endswith(".java")

    def rewrite(self, path: str, text: str, refs: Sequence[Reference], settings: RewriteSettings) -> RewriteResult:
        if not refs:
            return RewriteResult(text)
        edits = []
        notes: list[str] = []
        spring = False
        for ref in refs:
            start, end, quote = quoted_span(text, ref)
            default = _SPRING_DEFAULT.search(text, 0, start)
            if not quote and default and default.end() == start and text.startswith("}", end):
                # @Value("${payment.api-key:<secret>}"): the default goes; the property then comes from
                # the secret itself (Spring Cloud AWS maps its JSON keys to properties).
                edits.append((start - 1, end, ""))
                spring = True
                notes.append(f"{path}:{ref.line}: the @Value default was removed: add "
                             f"spring.config.import=aws-secretsmanager:{ref.secret_name} (Spring Cloud AWS) so the "
                             f"property {default.group(1)} is read from the secret's key {ref.json_key}"
                             + ("" if ref.json_key == default.group(1) else
                                f" (rename the key to {default.group(1)} or map it)"))
                continue
            if quote != '"':
                raise RewriteRefused(f"{path}:{ref.line}: the value is part of a longer string; rewrite it by hand")
            statement = text[max(text.rfind(";", 0, start), text.rfind("{", 0, start), text.rfind("}", 0, start)) + 1:start]
            if re.search(r"@[\w.]+\s*\([^)]*$", statement):
                raise RewriteRefused(f"{path}:{ref.line}: an annotation value must be a compile-time constant")
            constant = _CONSTANT.search(statement)
            name = constant and (constant.group(1) or constant.group(2))
            if name and re.search(rf"\bcase\s+{re.escape(name)}\s*[:\-,]", text):
                raise RewriteRefused(f"{path}:{ref.line}: constant {name} is a case label; switch on the value instead")
            edits.append((start, end, f"{HELPER_CLASS}.value({json.dumps(ref.secret_name)}, {json.dumps(ref.json_key)})"))
        if spring and len(notes) == len(refs):
            return RewriteResult(apply_edits(text, edits), {}, tuple(notes))
        package = _PACKAGE.search(text)
        header = f"package {package.group(1)};\n\n" if package else ""
        extra = {beside(path, f"{HELPER_CLASS}.java"): HELPER.format(package=header)}
        notes.append("other classes that used a rewritten static final String as a compile-time constant "
                     "(case labels, annotations) stop compiling: the compiler lists them")
        return RewriteResult(apply_edits(text, edits), extra, (*notes, f"add {REQUIREMENTS[0]} (AWS SDK for Java 2.x) to the build"))
