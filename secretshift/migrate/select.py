"""Which findings a migration moves: never a reference (a Secret's name, a variable, an
expression), not a test fixture unless asked; and which two findings form one credential pair."""
from __future__ import annotations

import re

# A value that points somewhere instead of being the secret: interpolation of any common kind.
_REFERENCE_VALUE = re.compile(
    r"""^(?:
        \$\{\{.*\}\}          # ${{ secrets.X }} (GitHub Actions)
      | \$\{[^}]+\}            # ${VAR} ${x:default}
      | \$[A-Za-z_]\w*         # $VAR
      | \{\{.*\}\}             # {{ .Values.x }} / {{resolve:...}}
      | %\([\w.]+\)s           # %(name)s
      | %[A-Za-z_]\w*%         # %VAR%
      | \#\{[^}]+\}            # #{...}
      | <[A-Za-z_][\w .-]*>    # <your-password>
      | !(?:Ref|Sub|GetAtt|ImportValue)\b.*
      | (?:arn:aws[\w-]*:(?:secretsmanager|ssm|kms):).*
    )$""",
    re.VERBOSE | re.DOTALL,
)
# A code expression captured as a value: user_dict["password"], os.getenv("X"), self.cfg.password
_EXPRESSION = re.compile(r"^[A-Za-z_][\w.]*(?:\[\s*(?:\"[^\"]*\"|'[^']*'|\w+)\s*\]|\([^()]*\))+$|^(?:self|this|cls)\.[\w.]+$")
# A key holding a Kubernetes Secret's *name* (Helm charts): passwordSecret, existingSecret, userSecret,
# secretName, secret_name, secretRef.
_NAME_KEY = re.compile(r"(?:[a-z0-9]Secret|^secret)(?:Name|Ref)?$|(?i:secret_?(?:name|ref))$")
_DNS_NAME = re.compile(r"^[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?$")

_TEST_DIR = re.compile(r"(?:^|/)(?:tests?|__tests__|__mocks__|spec|specs|testdata|test_data|fixtures?|testing)/")
_TEST_FILE = re.compile(
    r"(?:^|/)(?:test_[^/]+\.py|[^/]+_test\.(?:py|go|rb)|conftest\.py|[^/]+\.(?:test|spec)\.[cm]?[jt]sx?"
    r"|[^/]+(?:Test|Tests|IT)\.(?:java|kt)|[^/]+_spec\.rb)$")


def is_reference(value: str, key: str | None) -> bool:
    """True when ``value`` names or computes a secret rather than being one."""
    stripped = value.strip()
    if _REFERENCE_VALUE.match(stripped) or _EXPRESSION.match(stripped):
        return True
    last = (key or "").rsplit(".", 1)[-1]
    return bool(last and _NAME_KEY.search(last) and _DNS_NAME.match(stripped))


def is_test_path(path: str) -> bool:
    return bool(_TEST_DIR.search(path) or _TEST_FILE.search(path))


_ID_LIKE = re.compile(r"(?i)^(?P<prefix>.*?)[_.-]?(?:access[_.-]?key(?:[_.-]?id)?|client[_.-]?id|app[_.-]?id|user(?:name)?|login)$")
_SECRET_LIKE = re.compile(
    r"(?i)^(?P<prefix>.*?)[_.-]?(?:secret[_.-]?(?:access[_.-]?)?key|client[_.-]?secret|app[_.-]?secret|password|passwd|pass)$")


def pair_prefix(key: str | None, secret_side: bool) -> str | None:
    """The common prefix that ties an identifier key to its secret key (`AWS_ACCESS_KEY_ID` and
    `AWS_SECRET_ACCESS_KEY` -> `AWS`; `access_key` and `secret_key` -> ``""``), or None."""
    if not key:
        return None
    last = re.split(r"[.\[\]]", key.strip("]"))[-1] if "." in key else key
    match = (_SECRET_LIKE if secret_side else _ID_LIKE).match(last)
    if match is None:
        return None
    return match.group("prefix").strip("_.-").lower()
