"""Go -> ``awsSecretValue(id, key)``, a helper over SDK v2 ``secretsmanager.GetSecretValue``.

The helper goes in its own file of the package (``secretshift_secrets.go``): every file of the
package that needs it produces the same file, so the package never defines it twice and the
rewritten file needs no new imports. A ``const`` cannot hold a call, so a literal in a constant
declaration is refused (changing it to ``var`` can break code that needs a constant).
"""
from __future__ import annotations

import json
import re
from collections.abc import Sequence

from secretshift.migrate.rewriters.base import Reference, RewriteRefused, RewriteResult, RewriteSettings
from secretshift.migrate.rewriters.common import apply_edits, beside, quoted_span

HELPER_FILE = "secretshift_secrets.go"
REQUIREMENTS = ("github.com/aws/aws-sdk-go-v2/config", "github.com/aws/aws-sdk-go-v2/service/secretsmanager")
_PACKAGE = re.compile(r"^package\s+(\w+)", re.MULTILINE)

HELPER = """\
package __PACKAGE__

import (
\t"context"
\t"encoding/json"
\t"sync"

\t"github.com/aws/aws-sdk-go-v2/config"
\t"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

var awsSecretCache = struct {
\tsync.Mutex
\tvalues map[string]map[string]string
}{values: map[string]map[string]string{}}

// awsSecretValue returns one JSON key of an AWS Secrets Manager secret, read once per secret.
// It panics when the secret cannot be read: a service must not start without its credentials.
func awsSecretValue(secretID, key string) string {
\tawsSecretCache.Lock()
\tdefer awsSecretCache.Unlock()
\tif values, ok := awsSecretCache.values[secretID]; ok {
\t\treturn values[key]
\t}
\tctx := context.Background()
\tcfg, err := config.LoadDefaultConfig(ctx)
\tif err != nil {
\t\tpanic("loading AWS configuration: " + err.Error())
\t}
\tout, err := secretsmanager.NewFromConfig(cfg).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: &secretID})
\tif err != nil {
\t\tpanic("reading secret " + secretID + ": " + err.Error())
\t}
\tvalues := map[string]string{}
\tif out.SecretString == nil || json.Unmarshal([]byte(*out.SecretString), &values) != nil {
\t\tpanic("secret " + secretID + " is not a JSON object of strings")
\t}
\tawsSecretCache.values[secretID] = values
\treturn values[key]
}
"""


class GoRewriter:
    name = "go"

    def applies_to(self, path: str, text: str) -> bool:
        return path.endswith(".go")

    def rewrite(self, path: str, text: str, refs: Sequence[Reference], settings: RewriteSettings) -> RewriteResult:
        if not refs:
            return RewriteResult(text)
        package = _PACKAGE.search(text)
        if package is None:
            raise RewriteRefused(f"{path}: no package clause")
        edits = []
        notes = [f"go get {' '.join(REQUIREMENTS)} (AWS SDK for Go v2)"]
        for ref in refs:
            start, end, quote = quoted_span(text, ref)
            if quote not in ('"', "`"):
                raise RewriteRefused(f"{path}:{ref.line}: the value is part of a longer string; rewrite it by hand")
            if _in_const(text, start):
                name = _single_const(text, start)
                if name is None or _needs_constant(text, name):
                    raise RewriteRefused(
                        f"{path}:{ref.line}: a Go const cannot hold a function call and this one is needed as a "
                        "constant (a const block, another const or a case label uses it); make it a var by hand")
                line_start = text.rfind("\n", 0, start) + 1
                keyword = re.match(r"(\s*)const(\s)", text[line_start:start])
                assert keyword is not None
                edits.append((line_start + keyword.start(0) + len(keyword.group(1)),
                              line_start + keyword.end(0) - len(keyword.group(2)), "var"))
                notes.append(f"{path}:{ref.line}: the const {name} became a package-level var (nothing needed it "
                             "as a constant)")
            if _package_level(text, start):
                notes.append(f"{path}:{ref.line}: a package-level var now reads the secret when the program "
                             "starts (also under go test); consider calling awsSecretValue where it is used")
            edits.append((start, end, f"awsSecretValue({json.dumps(ref.secret_name)}, {json.dumps(ref.json_key)})"))
        extra = {beside(path, HELPER_FILE): HELPER.replace("__PACKAGE__", package.group(1))}
        return RewriteResult(apply_edits(text, edits), extra, tuple(notes))


def _package_level(text: str, offset: int) -> bool:
    """No brace open at ``offset``: a top-level declaration. Advisory only (a composite literal at
    package level counts as nested, so its note is missed)."""
    depth = 0
    for char in re.sub(r'"(?:[^"\\\n]|\\.)*"|`[^`]*`|//[^\n]*', "", text[:offset]):
        depth += {"{": 1, "}": -1}.get(char, 0)
    return depth == 0


def _single_const(text: str, offset: int) -> str | None:
    """The name of a one-line `const name = "..."` holding ``offset`` (not a const block)."""
    line_start = text.rfind("\n", 0, offset) + 1
    match = re.match(r"\s*const\s+([A-Za-z_]\w*)\s*(?:string\s*)?=\s*$", text[line_start:offset])
    return match.group(1) if match else None


def _needs_constant(text: str, name: str) -> bool:
    """Whether ``name`` is used where Go requires a constant: another const, a case label, an
    array length, or a shift/iota expression (conservative: any const line mentioning it)."""
    word = rf"(?<![\w.]){re.escape(name)}(?!\w)"
    for line in text.splitlines():
        stripped = line.strip()
        if re.search(word, stripped) and (
                (stripped.startswith("const") and not re.match(rf"const\s+{re.escape(name)}\b", stripped))
                or stripped.startswith("case ") or re.search(rf"\[{word}\]", stripped)):
            return True
    return False


def _in_const(text: str, offset: int) -> bool:
    line_start = text.rfind("\n", 0, offset) + 1
    if re.match(r"\s*const\s", text[line_start:offset]):
        return True
    block = None
    for match in re.finditer(r"^\s*const\s*\(", text[:offset], re.MULTILINE):
        block = match
    return block is not None and re.search(r"^\s*\)", text[block.end():offset], re.MULTILINE) is None
