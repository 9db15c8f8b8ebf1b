"""Credential files recognised by their name, whose values carry no provider prefix.

``.pgpass`` (``host:port:db:user:password``), ``htpasswd``/``shadow`` lines (``user:HASH``),
Rails ``master.key``, FileZilla's ``<Pass encoding="base64">`` and password hashes in SQL dumps.
The file's name and each line's structure are the evidence, so these run for a matching path
whatever keywords the blob holds (the engine asks :meth:`wants_path`). Files a key -> value
reader already understands (``.netrc``, ``.pypirc``, ``.s3cfg``, kubeconfig, tfstate...) are left
to the generic detector, through :mod:`.filekind`.
"""
from __future__ import annotations

import binascii
from collections.abc import Iterable, Sequence

from secretshift import lazy_re
from secretshift.scanner.detector import RawMatch
from secretshift.models import Blob, Example, Rule
from secretshift.plugins import filters as f

PGPASS_RULE = "pgpass-password"
HASH_FILE_RULE = "password-hash-file"
SQL_HASH_RULE = "sql-dump-password-hash"
MASTER_KEY_RULE = "rails-master-key"
GIT_CREDENTIALS_RULE = "git-credentials-password"
MAIL_RC_RULE = "mail-client-password"
FILEZILLA_RULE = "filezilla-password"
PKCS12_RULE = "pkcs12-file"

_HASH_FILES = {".htpasswd", "htpasswd", "shadow", "shadow-", "gshadow", "passwd", "master.passwd", ".htdigest"}
_FILEZILLA_FILES = {"sitemanager.xml", "recentservers.xml", "filezilla.xml"}
_MAIL_RC_FILES = {".esmtprc", ".msmtprc", "msmtprc", ".fetchmailrc", "esmtprc"}
_MAIL_PASSWORD = lazy_re.compile(rb"""(?m)^[ \t]*(?:set[ \t]+)?(?:password|passwd|pass)[ \t]*[= \t][ \t]*(?:"(?P<q>[^"\n]{1,256})"|'(?P<s>[^'\n]{1,256})'|(?P<b>[^\s"'#]{1,256}))""")
_MAX_BYTES = 4 << 20
# crypt(3) families ($1$ md5crypt, $5$/$6$ sha-crypt, $y$ yescrypt, $2?$ bcrypt, $apr1$ Apache),
# LDAP-style {SHA}/{SSHA} base64, and a 13-character DES crypt.
_CRYPT = r"(?:\$(?:1|5|6|y|gy|7|2[abxy]|apr1|sha1|md5)\$[./A-Za-z0-9$=,]{8,300}|\{S?SHA(?:256|512)?\}[A-Za-z0-9+/]{20,120}={0,2})"
_HASH_LINE = lazy_re.compile(rb"(?m)^[^:#\s][^:\s]{0,63}:(?P<hash>" + _CRYPT.encode() + rb"|[./A-Za-z0-9]{13})(?=:|\s|$)")
_SQL_CRYPT = lazy_re.compile(rb"""['"](?P<hash>""" + _CRYPT.encode() + rb""")['"]""")
# MySQL native (`*` + 40 hex) and PostgreSQL md5 (`md5` + 32 hex): real hashes of real passwords,
# but also found in docs and tests of database tools, hence only in dumps and only at low.
_SQL_WEAK = lazy_re.compile(rb"""['"](?P<hash>\*[0-9A-F]{40}|md5[0-9a-f]{32})['"]""")
_PASS_ELEMENT = lazy_re.compile(rb"""<Pass(?P<attrs>[^>]{0,64})>(?P<value>[^<]{1,512})</Pass>""")
_HEX32 = lazy_re.compile(rb"\s*(?P<key>[0-9a-f]{32})\s*")
_PKCS12_SUFFIXES = (".p12", ".pfx", ".pkcs12")
# ContentInfo types an authSafe may carry (RFC 7292 section 4): pkcs7-data or pkcs7-signedData.
_AUTH_SAFE_OIDS = (bytes.fromhex("06092a864886f70d010701"), bytes.fromhex("06092a864886f70d010702"))
_BASE64_TEXT = lazy_re.compile(rb"[A-Za-z0-9+/=\s]{24,}")


def _pfx_shape(version: int) -> str:
    """The smallest PFX shape (an empty authenticated safe), base64: the rule's own examples."""
    content_info = bytes.fromhex("3011") + _AUTH_SAFE_OIDS[0] + bytes.fromhex("a00404023000")
    der = bytes.fromhex("30160201") + bytes([version]) + content_info
    return binascii.b2a_base64(der, newline=False).decode()


def _name(path: str) -> str:
    return path.replace("\\", "/").rsplit("/", 1)[-1].lower()


def _is_hash_file(name: str) -> bool:
    # `passwd`, `ftpd.passwd`, `proftpdpasswd`, `.htpasswd`, `users.htpasswd`, `shadow`...
    return name in _HASH_FILES or name.endswith(("passwd", ".htpasswd", ".htdigest"))


def _stored(value: str) -> bool:
    """In a credential file the file is the evidence: any value is a stored credential unless
    it is empty or a reference to one kept elsewhere."""
    return bool(value.strip()) and not f.is_reference(value) and not f.is_templated(value)


def _is_master_key(path: str) -> bool:
    lowered = path.replace("\\", "/").lower()
    return _name(path) == "master.key" or ("/credentials/" in f"/{lowered}" and lowered.endswith(".key"))


class CredentialFileDetector:
    name = "credential-files"
    priority = 110  # inside its files, the file-format rule is the most specific one
    keywords: tuple[str, ...] = ()
    rules: tuple[Rule, ...] = (
        Rule(
            id=PGPASS_RULE,
            description="PostgreSQL password file (.pgpass) entry",
            regex="",
            keywords=(),
            positives=(Example("db.internal:5432:orders:app_rw:Hq7vT2mZ9pLk\n", path=".pgpass", secret="Hq7vT2mZ9pLk"),),
            negatives=(Example("# hostname:port:database:username:password\n", "the format's comment line", path=".pgpass"),),
        ),
        Rule(
            id=HASH_FILE_RULE,
            description="Password hash in an htpasswd / shadow file (crackable offline)",
            regex="",
            keywords=(),
            confidence="medium",
            positives=(
                Example("admin:$apr1$Jv3v1bQ2$7Gm8HhY0m6vB3oG9pC0p0/\n", path="conf/.htpasswd"),
                Example("deploy:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\n", path=".htpasswd"),
            ),
            negatives=(
                Example("daemon:*:19000:0:99999:7:::\n", "a locked account has no hash", path="etc/shadow"),
                Example("admin:$apr1$Jv3v1bQ2$7Gm8HhY0m6vB3oG9pC0p0/\n", "not an htpasswd/shadow file", path="notes.md"),
            ),
        ),
        Rule(
            id=SQL_HASH_RULE,
            description="Password hash in a SQL dump (bcrypt, crypt, MySQL native, PostgreSQL md5)",
            regex="",
            keywords=(),
            confidence="medium",
            positives=(
                Example(
                    "INSERT INTO users VALUES (2,'bob','$1$Qx7rT2mZ$Hk3vN8pL5wR9yT2uE6iO1.');\n", path="db/dump.sql"
                ),
            ),
            negatives=(
                Example("INSERT INTO users VALUES (2,'bob','$1$Qx7rT2mZ$Hk3vN8pL5wR9yT2uE6iO1.');\n",
                        "a hash in code is a test fixture far more often than a leak", path="tests/test_users.py"),
            ),
        ),
        Rule(
            id=MASTER_KEY_RULE,
            description="Rails master key (decrypts config/credentials.yml.enc)",
            regex="",
            keywords=(),
            positives=(Example("3f8a1c9e7b2d4f6a0c5e8b1d3f7a9c2e\n", path="config/master.key"),),
            negatives=(Example("00000000000000000000000000000000\n", "no entropy: a placeholder", path="config/master.key"),),
        ),
        Rule(
            id=GIT_CREDENTIALS_RULE,
            description="Password or token stored by git's credential store (.git-credentials)",
            regex="",
            keywords=(),
            positives=(
                Example("https://jdoe%40acme.io:Wq9rT4yU2iO7@git.acme.io\n", path="home/.git-credentials",
                        secret="Wq9rT4yU2iO7"),
                Example("https://ops@acme.io:pa55#w0rd@gitlab.acme.io\n", path=".git-credentials",
                        secret="pa55#w0rd"),
            ),
            negatives=(Example("https://git.acme.io\n", "no user info", path=".git-credentials"),),
        ),
        Rule(
            id=MAIL_RC_RULE,
            description="Mail client password (.esmtprc, .msmtprc, .fetchmailrc)",
            regex="",
            keywords=(),
            positives=(Example('hostname smtp.acme.io:587\nusername "ops@acme.io"\npassword "Hq7vT2mZ9pLk"\n',
                               path="home/.esmtprc", secret="Hq7vT2mZ9pLk"),),
            negatives=(Example('password "$SMTP_PASSWORD"\n', "a reference", path=".msmtprc"),),
        ),
        Rule(
            id=FILEZILLA_RULE,
            description="FileZilla saved site password",
            regex="",
            keywords=(),
            positives=(
                Example('<Pass encoding="base64">UXc4IXpMcDIjUnQ1</Pass>\n', path="filezilla/sitemanager.xml",
                        secret="Qw8!zLp2#Rt5"),
            ),
            negatives=(Example("<Pass></Pass>\n", "no password saved", path="filezilla/sitemanager.xml"),),
        ),
        Rule(
            id=PKCS12_RULE,
            description="PKCS#12 key container (.p12/.pfx) committed: a private key, often under a weak or empty "
            "password",
            regex="",
            keywords=(),
            confidence="medium",
            positives=(Example(_pfx_shape(3) + "\n", path="certs/client.p12"),),
            negatives=(
                Example(_pfx_shape(2) + "\n", "version 2 is not a PKCS#12 PFX (RFC 7292 fixes version 3)",
                        path="certs/client.p12"),
                Example("-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n",
                        "a certificate saved under a .pfx name: public material, not a key container",
                        path="certs/server.pfx"),
            ),
        ),
    )

    def wants_path(self, path: str) -> bool:
        name = _name(path)
        return (
            name in (".pgpass", ".git-credentials") or _is_hash_file(name) or name.endswith(".sql")
            or name in _FILEZILLA_FILES or name in _MAIL_RC_FILES or _is_master_key(path)
            or name.endswith(_PKCS12_SUFFIXES)
        )

    def detect(self, blob: Blob, hits: Sequence[int]) -> Iterable[RawMatch]:
        if len(blob.data) > _MAX_BYTES:
            return []
        name = _name(blob.path)
        if name == ".pgpass":
            return list(_pgpass(blob.data))
        if name == ".git-credentials":
            return list(_git_credentials(blob.data))
        if name in _MAIL_RC_FILES:
            return list(_mail_rc(blob.data))
        if _is_hash_file(name):
            return [RawMatch(HASH_FILE_RULE, m.start("hash"), m.end("hash"), key="password_hash",
                             context=(("kind", "password-file"),)) for m in _HASH_LINE.finditer(blob.data)]
        if name.endswith(".sql"):
            return list(_sql_hashes(blob.data))
        if name in _FILEZILLA_FILES:
            return list(_filezilla(blob.data))
        if name.endswith(_PKCS12_SUFFIXES):
            return list(_pkcs12(blob.data))
        return list(_master_key(blob.data))


def _pgpass(data: bytes) -> Iterable[RawMatch]:
    offset = 0
    for line in data.split(b"\n"):
        start = offset
        offset += len(line) + 1
        text = line.rstrip(b"\r")
        if not text.strip() or text.lstrip().startswith(b"#"):
            continue
        # Fields are split at `:` not escaped by a backslash; the password is the fifth.
        colons = [i for i, c in enumerate(text) if c == 0x3A and (i == 0 or text[i - 1] != 0x5C)]
        if len(colons) < 4:
            continue
        lo = colons[3] + 1
        password = text[lo:].decode("utf-8", "replace")
        if password == "*" or not _stored(password):
            continue
        yield RawMatch(PGPASS_RULE, start + lo, start + len(text), value=password.replace("\\:", ":"),
                       key="password", context=(("kind", "pgpass"),))


def _sql_hashes(data: bytes) -> Iterable[RawMatch]:
    for regex, confidence in ((_SQL_CRYPT, ""), (_SQL_WEAK, "low")):
        for match in regex.finditer(data):
            yield RawMatch(SQL_HASH_RULE, match.start("hash"), match.end("hash"), key="password_hash",
                           context=(("kind", "sql-dump"),), confidence=confidence)


def _filezilla(data: bytes) -> Iterable[RawMatch]:
    for match in _PASS_ELEMENT.finditer(data):
        raw = match.group("value").decode("utf-8", "replace").strip()
        value = raw
        if b"base64" in match.group("attrs"):
            import base64  # here: a FileZilla file is rare, and the commit hook starts on every commit

            try:
                value = base64.b64decode(raw, validate=True).decode("utf-8")
            except (binascii.Error, ValueError):
                continue
        if _stored(value):
            yield RawMatch(FILEZILLA_RULE, match.start("value"), match.end("value"), value=value, key="Pass",
                           context=(("kind", "filezilla"),))


def _git_credentials(data: bytes) -> Iterable[RawMatch]:
    """`https://user:token@host` per line; the user may itself hold an `@` (an e-mail), so the
    host starts after the LAST `@` and the password after the first `:` of the user info."""
    offset = 0
    for line in data.split(b"\n"):
        start = offset
        offset += len(line) + 1
        scheme = line.find(b"://")
        at = line.rfind(b"@")
        if scheme == -1 or at <= scheme:
            continue
        colon = line.find(b":", scheme + 3, at)
        if colon == -1:
            continue
        password = line[colon + 1 : at].decode("utf-8", "replace")
        if _stored(password):
            yield RawMatch(GIT_CREDENTIALS_RULE, start + colon + 1, start + at, key="password",
                           context=(("kind", "git-credentials"),))


def _mail_rc(data: bytes) -> Iterable[RawMatch]:
    for match in _MAIL_PASSWORD.finditer(data):
        group = next(g for g in ("q", "s", "b") if match.start(g) != -1)
        if _stored(match.group(group).decode("utf-8", "replace")):
            yield RawMatch(MAIL_RC_RULE, match.start(group), match.end(group), key="password",
                           context=(("kind", "mail-client-config"),))


def _master_key(data: bytes) -> Iterable[RawMatch]:
    match = _HEX32.fullmatch(data)
    if match is not None and len(set(match.group("key"))) > 4:
        yield RawMatch(MASTER_KEY_RULE, match.start("key"), match.end("key"), key="rails_master_key",
                       context=(("kind", "rails-master-key"),))


def _der_header(data: bytes, at: int) -> tuple[int, int, int] | None:
    """(tag, content start, content length) of the DER element at ``at``; None past the data."""
    if at + 2 > len(data):
        return None
    tag, first = data[at], data[at + 1]
    if first < 0x80:
        return tag, at + 2, first
    count = first & 0x7F
    if not 1 <= count <= 4 or at + 2 + count > len(data):
        return None  # indefinite (BER) or absurd lengths: not a DER PKCS#12
    return tag, at + 2 + count, int.from_bytes(data[at + 2 : at + 2 + count], "big")


def is_pkcs12(data: bytes) -> bool:
    """``PFX ::= SEQUENCE { version INTEGER (3), authSafe ContentInfo, macData OPTIONAL }``
    with the authSafe a pkcs7-data or pkcs7-signedData ContentInfo (RFC 7292): the structure,
    not the file name, says a file is a PKCS#12 key container."""
    outer = _der_header(data, 0)
    if outer is None or outer[0] != 0x30 or outer[1] + outer[2] > len(data):
        return False
    if data[outer[1] : outer[1] + 3] != b"\x02\x01\x03":
        return False
    auth_safe = _der_header(data, outer[1] + 3)
    if auth_safe is None or auth_safe[0] != 0x30:
        return False
    return data[auth_safe[1] : auth_safe[1] + 11] in _AUTH_SAFE_OIDS


def _pkcs12(data: bytes) -> Iterable[RawMatch]:
    """One finding per PKCS#12 file (raw DER, or the base64 text of one): it holds a private key,
    usually under a guessable or empty password. The value is the file's digest, so reports and
    baselines identify the container without printing its bytes."""
    import base64
    import hashlib  # here, as above: OpenSSL's module alone costs the hook ~2.5 ms

    der = data
    if not is_pkcs12(der) and _BASE64_TEXT.fullmatch(data):
        try:
            der = base64.b64decode(b"".join(data.split()), validate=True)
        except (binascii.Error, ValueError):
            return
    if is_pkcs12(der):
        yield RawMatch(PKCS12_RULE, 0, len(data), value="sha256:" + hashlib.sha256(der).hexdigest(),
                       key="pkcs12_file", context=(("kind", "pkcs12"),), confidence="medium")
