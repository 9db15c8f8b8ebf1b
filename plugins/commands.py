"""Passwords handed to a command or a credential constructor rather than assigned to a name.

``docker login -p X``, ``mysql -uroot -pX``, ``sshpass -p X``, ``curl -u user:X``, and calls
such as ``DriverManager.getConnection(url, "app", "X")`` or ``new NetworkCredential("u", "X")``.
Each pattern runs on one bounded line.
"""
from __future__ import annotations


from secretshift import lazy_re

COMMAND_KEYWORDS = (
    b"docker login", b"podman login", b"registry login", b"mysql", b"sshpass", b"curl ", b"securestring",
    b"redis-cli",
)
CALL_KEYWORDS = (
    b"connection(", b"connect(", b"login(", b"authenticate(", b"auth(", b"credential(", b"credentials(",
    b"pdo(", b"credentials.create(",
)
_COMMAND = lazy_re.compile(
    rb"""\b(?:docker|podman|helm|oras|buildah|skopeo)\b[^\n]{0,200}?\blogin\b[^\n]{0,200}?\s(?:-p|--password)[ =]["']?(?P<a>[^\s"'|;&]+)"""
    rb"""|\bmysql(?:dump|admin)?\b[^\n]{0,200}?\s-p(?P<b>[^\s"'|;&\-][^\s"'|;&]*)"""
    rb"""|\bmysql(?:dump|admin)?\b[^\n]{0,200}?\s--password=["']?(?P<e>[^\s"'|;&]+)"""
    rb"""|\bsshpass\s+-p\s*["']?(?P<c>[^\s"'|;&]+)"""
    rb"""|\bcurl\b[^\n]{0,300}?\s(?:-u|--user)[ =]["']?[^:\s"']{1,64}:(?P<d>[^\s"'@]+)"""
    rb"""|\bredis-cli\b[^\n]{0,200}?\s(?:-a|--pass)\s+["']?(?P<g>[^\s"'|;&]+)"""
    rb"""|(?i:ConvertTo-SecureString)\s+(?:-String\s+)?["'](?P<f>[^"'\n]{1,300})["']\s+(?i:-AsPlainText)"""
)
_CALL = lazy_re.compile(
    rb"""(?i)\b(?P<name>getConnection|connect|login|authenticate|basicAuth|HTTPBasicAuth|HTTPDigestAuth|"""
    rb"""NetworkCredential|UsernamePasswordCredentials|PasswordAuthentication|PasswordCredential|"""
    rb"""SimpleCredentials|BasicAWSCredentials|AwsBasicCredentials\.create|mysqli_connect|PDO|"""
    rb"""setCredentials)\s*\("""
)
_LITERAL = lazy_re.compile(rb""""((?:[^"\\\n]|\\.){0,300})"|'((?:[^'\\\n]|\\.){0,300})'""")
_SECOND_IS_SECRET = (b"basicawscredentials", b"awsbasiccredentials.create")


def command_passwords(line: bytes) -> list[tuple[int, int]]:
    """Spans (in ``line``) of passwords given on a command line."""
    out = []
    for match in _COMMAND.finditer(line):
        for group in ("a", "b", "c", "d", "e", "f", "g"):
            if match.start(group) != -1:
                out.append((match.start(group), match.end(group)))
    return out


def call_passwords(line: bytes) -> list[tuple[int, int]]:
    """Spans of the password literal passed to a credential-taking call."""
    out = []
    for match in _CALL.finditer(line):
        close = line.find(b")", match.end())
        args = line[match.end() : close if close != -1 else len(line)]
        literals = [m for m in _LITERAL.finditer(args) if not args[: m.start()].rstrip().endswith(b"=")]
        if len(literals) < 2:
            continue
        name = match.group("name").lower()
        chosen = literals[1] if len(literals) == 2 or name in _SECOND_IS_SECRET else literals[2]
        group = 1 if chosen.start(1) != -1 else 2
        out.append((match.end() + chosen.start(group), match.end() + chosen.end(group)))
    return out
