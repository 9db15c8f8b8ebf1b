"""Key -> value pairs with exact byte positions, read one bounded line at a time.

Every file kind is read by the same small tokenizer: a key, an assignment operator
(``=``, ``:``, ``:=``, ``=>``, ``,`` after a quoted key), then a value that is a quoted literal
or, where the file kind allows it, a bare word, a YAML block scalar or an XML element's text.
Nothing here parses a whole file: the callers hand in one line (at most ``MAX_LINE`` bytes),
so the stdlib regexes below run on bounded input and cannot blow up.
"""
from __future__ import annotations

import re
import sys
from typing import NamedTuple

from secretshift import lazy_re
from secretshift.plugins.filekind import CODE, CONFIG_BARE, DOCS, KINDS, MARKUP

MAX_LINE = 4096
_MAX_BLOCK_LINES = 200
_MAX_BLOCK_BYTES = 65536

# The key's characters are taken possessively where Python has it (3.11+): a shorter key could
# never be followed by an operator (the next character is a key character), so giving characters
# back only costs time, a third of this search's on real code. Same matches either way.
_POSSESSIVE = b"+" if sys.version_info >= (3, 11) else b""
_KEY_OP = lazy_re.compile(
    rb"""(?P<q>["'`]?)(?P<key>\.?[A-Za-z_][A-Za-z0-9_.\-]{0,80}""" + _POSSESSIVE + rb""")(?P=q)\]?[ \t]{0,16}"""
    rb"""(?P<op>:=|=>|\?\?=|\|\|=|=(?![=~>])|:(?![:=/\\])|,|\()[ \t]*"""
)
_INNER = lazy_re.compile(
    rb"""(?:^|[;&?\s,(])(?:--?)?(?P<key>[A-Za-z_][\w.\-]{0,60})=(?P<val>[^;&\s"'<>,()]{1,300})"""
)
_FLAG = lazy_re.compile(rb"""(?:^|\s)--?(?P<key>[A-Za-z][\w\-]{1,40}) +(?P<val>[^\s"'\-<>|&;][^\s"'<>|&;]{0,300})""")
_XML_ELEMENT = lazy_re.compile(
    rb"""<(?P<key>[A-Za-z_][\w.:\-]{0,80})(?:\s[^<>]{0,400})?>(?P<val>[^<]{1,2000})</(?P=key)\s*>"""
)
_DOCKER_ENV = lazy_re.compile(rb"""^\s*(?:ENV|ARG)\s+(?P<key>[A-Za-z_][\w.\-]{0,80})\s+(?P<val>\S.*?)\s*$""")
_NETRC = lazy_re.compile(rb"""\bpassword\s+(?P<val>\S+)""")
_TYPE_ANNOTATION = lazy_re.compile(rb"""[A-Za-z_][\w.\[\], |<>?]{0,60}?\s*=(?!=)\s*""")
_PY_PREFIX = lazy_re.compile(rb"""[rRbBuUfF]{1,2}(?=["'])|[@$]{1,2}(?=")""")
_TYPE_WORDS = frozenset({b"string", b"String", b"str", b"var", b"let", b"const", b"val", b"final", b"char", b"auto"})
_REFERENCE_TAGS = frozenset({
    b"ref", b"sub", b"getatt", b"importvalue", b"findinmap", b"join", b"select", b"if", b"base64",
    b"cidr", b"getazs", b"split", b"transform", b"and", b"equals", b"not", b"or", b"condition",
    b"vault", b"secret", b"env", b"include", b"reference", b"encrypted", b"sops", b"ssm", b"func",
})
_YAML_TAG = lazy_re.compile(rb"""!!?[A-Za-z][\w:]*\s*""")
_BLOCK_HEADER = lazy_re.compile(rb"""[|>][-+]?[0-9]?\s*(?:#.*)?$""")
_WRAPPER_CALL = lazy_re.compile(rb"""(?:\[\])?(?P<name>[A-Za-z_$][\w.$:]{0,60})\(\s*(?=["'])""")
_FALLBACK = lazy_re.compile(rb"""(?:\|\||\?\?|\bor\b|\?:|,)\s*(?=["'])""")
_LITERAL_WRAPPERS = frozenset({
    b"str", b"bytes", b"bytearray", b"from", b"b64decode", b"decode", b"unhexlify", b"byte", b"new",
    b"SecretStr", b"SecretBytes", b"Secret", b"secret", b"Some", b"Ok", b"fromString", b"of",
})
_SECOND_LITERAL = lazy_re.compile(rb"""\s*,\s*["']""")
_OR_FALLBACK = lazy_re.compile(rb"""(?:\|\||\?\?|\bor\b|\?:)\s*(?=["'])""")
_LOOKUP_CALL = lazy_re.compile(rb"""(?i)env|environ|fetch|get|config|setting|param|lookup|read|secret|vault|ssm""")
_DIRECTIVE = lazy_re.compile(rb"""\s*(?P<key>[A-Za-z_][\w.\-]{0,80})[ \t]+(?P<val>[^\s=:#;][^\s]{0,300})[ \t]*$""")
_SCHEMES = frozenset({b"Bearer", b"bearer", b"Basic", b"basic", b"Token", b"token"})
_ENV_LINE = lazy_re.compile(rb"""^\s*(?:export\s+|set\s+)?[A-Za-z_][A-Za-z0-9_]*=""")
_EXPORT_LINE = lazy_re.compile(rb"""^\s*(?:(?:#+|//+|\*+|--)\s*)?export\s+[A-Za-z_][A-Za-z0-9_]*=""")


class Pair(NamedTuple):
    key: str
    start: int  # absolute byte offset of the value
    end: int
    quoted: bool
    op: str
    inner: bool = False  # found inside another value (connection string, query, flag)
    block: bool = False  # a YAML block scalar spanning the following lines
    prefix: str = ""  # text between the line start and the key, for flag/setter checks


def line_bounds(data: bytes, offset: int) -> tuple[int, int]:
    start = data.rfind(b"\n", 0, offset) + 1
    end = data.find(b"\n", offset)
    if end == -1:
        end = len(data)
    if end > start and data[end - 1 : end] == b"\r":
        end -= 1
    return start, end


def next_line(data: bytes, line_end: int) -> int:
    """Where the line after the one ending at ``line_end`` (from :func:`line_bounds`) starts.

    Not ``line_end + 1``: line_bounds leaves a trailing "\r" out, so on a line holding only
    "\r" that would be the same line again, and a walk over lines never ended (a hang on
    mixed line endings)."""
    newline = data.find(b"\n", line_end)
    return newline + 1 if newline != -1 else len(data) + 1


def pairs_in_line(data: bytes, start: int, end: int, family: str, kind: str) -> list[Pair]:
    """Every key -> value pair that starts on the line ``data[start:end]``."""
    line = data[start:end]
    out: list[Pair] = []
    if kind == "dockerfile":
        match = _DOCKER_ENV.match(line)
        if match and b"=" not in line[: match.start("val")]:
            out.append(_bare_pair(match.group("key"), start + match.start("val"), start + match.end("val"), "=", data))
    if kind == "netrc":
        for match in _NETRC.finditer(line):
            out.append(Pair("password", start + match.start("val"), start + match.end("val"), False, " "))
        return out
    if family == MARKUP and b"<" in line:
        for match in _XML_ELEMENT.finditer(line):
            val_start, val_end = _strip(line, match.start("val"), match.end("val"))
            if val_end > val_start:
                out.append(Pair(match.group("key").decode("latin-1"), start + val_start, start + val_end, False, ">"))
    # `KEY=value` is a shell word outside source code; in source code only after `export` (also in
    # a comment), which no language here writes before `NAME=`: a docstring's shell session.
    env_style = _EXPORT_LINE.match(line) is not None or (
        (family != CODE or kind == "unknown") and _ENV_LINE.match(line) is not None)
    ctx = _Line(data, start, end, line, family, kind, env_style)
    pos = 0
    while pos < len(line):
        match = _KEY_OP.search(line, pos)
        if match is None:
            break
        pos = match.end()
        op = match.group("op").decode()
        if op == "," and (not match.group("q") or not line[: match.start()].rstrip().endswith(b"(")):
            pos = match.end("key")
            continue
        key = match.group("key")
        if key in _TYPE_WORDS:
            key = _previous_identifier(line, match.start()) or key
        value = _value(ctx, match.end(), op)
        if value is None or op in (",", "(") and not value[2]:
            continue
        val_start, val_end, quoted, block = value
        prefix = line[: match.start()].decode("latin-1")[-40:]
        out.append(Pair(key.decode("latin-1"), val_start, val_end, quoted, op, False, block, prefix))
        if not block:
            after = val_end - start + (1 if quoted else 0)
            if quoted and line[after : after + 8].lstrip()[:1] in (b",", b":"):
                after = val_start - start - 1  # `put("password", "x")`: the literal is also a key
            pos = max(pos, after)
    if not out and kind in ("ini", "properties", "unknown"):
        directive = _DIRECTIVE.match(line)
        if directive is not None:  # `requirepass s3cret` (redis.conf, pgbouncer, ssh-style configs)
            out.append(_bare_pair(directive.group("key"), start + directive.start("val"), start + directive.end("val"), " ", data))
    if b"=" in line or b"-" in line:
        if family in (CONFIG_BARE, MARKUP):
            out.extend(_inner_pairs(data, start, end, out))
        else:  # in code, `key=value` outside a string literal is a keyword argument
            for pair in [p for p in out if p.quoted and b"=" in data[p.start : p.end]]:
                out.extend(_inner_pairs(data, pair.start, pair.end, out))
    return out


def _inner_pairs(data: bytes, start: int, end: int, outer: list[Pair]) -> list[Pair]:
    """Connection strings, query strings and command-line flags inside the line."""
    line = data[start:end]
    found: list[Pair] = []
    taken = {(p.start, p.end) for p in outer}
    for match in _INNER.finditer(line):
        span = (start + match.start("val"), start + match.end("val"))
        if span not in taken and not any(p.start == span[0] for p in outer):
            found.append(Pair(match.group("key").decode("latin-1"), span[0], span[1], False, "=", True))
    for match in _FLAG.finditer(line):
        span = (start + match.start("val"), start + match.end("val"))
        if span not in taken:
            found.append(Pair(match.group("key").decode("latin-1"), span[0], span[1], False, " ", True))
    return found


def _previous_identifier(line: bytes, before: int) -> bytes | None:
    words = re.findall(rb"[A-Za-z_][\w]*", line[:before][-80:])
    return words[-1] if words else None


def _strip(line: bytes, lo: int, hi: int) -> tuple[int, int]:
    while lo < hi and line[lo] in b" \t":
        lo += 1
    while hi > lo and line[hi - 1] in b" \t\r":
        hi -= 1
    return lo, hi


def _bare_pair(key: bytes, lo: int, hi: int, op: str, data: bytes) -> Pair:
    if hi - lo >= 2 and data[lo] in b"\"'" and data[hi - 1] == data[lo]:
        return Pair(key.decode("latin-1"), lo + 1, hi - 1, True, op)
    return Pair(key.decode("latin-1"), lo, hi, False, op)


# A whole line shaped like a YAML mapping entry with a bare scalar; in Python code the only such
# line is an annotation (`password: str`), whose "value" is a type name the judge rejects.
_YAML_LINE = lazy_re.compile(rb"""[ \t]*(?:- )?[A-Za-z_][\w.-]*:[ \t]+[^\s'"#(\[{=][^\s#=()'"\[\],]*[ \t]*\r?""")
# `private_key: PKCS7PrivateKeyTypes`, `key: mlkem.MLKEM768PublicKey`: an annotation's type.
_PYTHON_NAME = lazy_re.compile(rb"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")


Span = tuple[int, int, bool, bool]  # (start, end, quoted, block) of a value in the blob


class _Line:
    """The line being read (``data[start:end]``) and how its file kind writes values: what every
    reader below needs, built once per line instead of passed as nine arguments. Not changed
    after it is built (``reread`` makes a new one)."""

    __slots__ = ("data", "start", "end", "line", "family", "kind", "env_style")

    def __init__(self, data: bytes, start: int, end: int, line: bytes, family: str, kind: str, env_style: bool) -> None:
        self.data = data
        self.start = start
        self.end = end
        self.line = line
        self.family = family
        self.kind = kind
        self.env_style = env_style  # a `KEY=value` line (dotenv/shell style) in any file kind

    def reread(self, *, kind: str, end: int) -> _Line:
        """The same line read again for a value found inside an expression: no longer env style."""
        return _Line(self.data, self.start, end, self.line, self.family, kind, False)


def _value(ctx: _Line, pos: int, op: str) -> Span | None:
    """The value beginning at ``line[pos:]``: a quoted literal in any file kind, else what the
    file's family reads there (:data:`_READERS`)."""
    line = ctx.line
    if pos >= len(line):
        return None  # `key:` whose children follow, or nothing at all
    if ctx.kind == "yaml" and line[pos : pos + 1] == b"!":
        pos = _after_yaml_tag(line, pos)
        if pos < 0:
            return None
    if ctx.family == CODE:
        prefix = _PY_PREFIX.match(line, pos)
        if prefix is not None:
            if b"f" in prefix.group(0).lower() or b"$" in prefix.group(0):
                return None  # an interpolated string is an expression
            pos = prefix.end()
    char = line[pos : pos + 1]
    if char == b"\\" and line[pos + 1 : pos + 2] in (b'"', b"'"):
        escaped = line.find(b"\\" + line[pos + 1 : pos + 2], pos + 2)
        if escaped == -1:
            return None
        return ctx.start + pos + 2, ctx.start + escaped, True, False
    if char in (b'"', b"'", b"`"):
        return _quoted(ctx, pos)
    if ctx.kind == "yaml" and _BLOCK_HEADER.match(line, pos):
        return _block_scalar(ctx.data, ctx.start, ctx.end)
    family = ctx.family
    if ctx.kind == "python" and op == ":" and _YAML_LINE.fullmatch(line) is not None:
        if _PYTHON_NAME.fullmatch(line[pos:].strip()) is None:
            family = CONFIG_BARE  # YAML inside a docstring (ansible's EXAMPLES): `api_token: e310...`
    return _READERS.get(family, _code_value)(ctx, pos, op)


def _after_yaml_tag(line: bytes, pos: int) -> int:
    """Where the value after a YAML tag at ``pos`` starts; -1 when the tag says it is no literal."""
    tag = _YAML_TAG.match(line, pos)
    if tag is None:
        return -1
    name = tag.group(0).strip().lower()
    if name.lstrip(b"!").split(b":")[0] in _REFERENCE_TAGS:
        return -1  # !Ref, !Sub, !GetAtt, !vault...: not a literal
    return tag.end() if name.startswith(b"!!") else pos


def _quoted(ctx: _Line, pos: int) -> Span | None:
    line = ctx.line
    if line[pos : pos + 3] in (b'"""', b"'''"):
        return None
    close = _closing_quote(line, pos)
    if close is None:
        return None
    if ctx.family == CODE and _continues_expression(line, close + 1):
        return None
    return ctx.start + pos + 1, ctx.start + close, True, False


# One reader per family for a value that is not a quoted literal.

def _code_value(ctx: _Line, pos: int, op: str) -> Span | None:
    """Source code: a value is a literal inside an expression; a `KEY=value` line (a script's
    environment) and Groovy's bare words are read word by word."""
    if ctx.env_style or ctx.kind == "groovy":
        return _bare_value(ctx, pos, words=True)
    return _expression_value(ctx, pos, op)


def _docs_value(ctx: _Line, pos: int, op: str) -> Span | None:
    """Notes and docs (`prod db password: X`) are read like bare config, one word per value; the
    generic detector judges their values more strictly."""
    if op in (":", "=") or ctx.env_style or ctx.kind == "groovy":
        return _bare_value(ctx, pos, words=True)
    return _expression_value(ctx, pos, op)


def _config_value(ctx: _Line, pos: int, op: str) -> Span | None:
    """Bare values: a word in shell-like files, up to a comment elsewhere."""
    return _bare_value(ctx, pos, words=ctx.kind in _WORD_KINDS or ctx.env_style)


def _markup_value(ctx: _Line, pos: int, op: str) -> Span | None:
    return None  # XML's values are elements' text and quoted attributes


_READERS = {CODE: _code_value, DOCS: _docs_value, CONFIG_BARE: _config_value, MARKUP: _markup_value}
# Kinds whose bare values end at the first blank or `;` (a shell word), not at a comment.
# ("unknown": no row claims the file; read like a shell's KEY=value.)
_WORD_KINDS = frozenset({*(kind.name for kind in KINDS if kind.words), "unknown"})


def _expression_value(ctx: _Line, pos: int, op: str) -> Span | None:
    """`password: str = "..."`, `auth = ("user", "password")`, `SecretStr("x")`, `get("X", "default")`."""
    line = ctx.line
    if op == ":":
        annotation = _TYPE_ANNOTATION.match(line, pos)
        if annotation is not None:  # `password: str = "..."`
            return _value(ctx.reread(kind=ctx.kind, end=ctx.end), annotation.end(), "=")
    if line[pos : pos + 1] in (b"(", b"["):  # `auth = ("user", "password")`: the second literal
        first = _closing_quote(line, pos + 1) if line[pos + 1 : pos + 2] in (b'"', b"'") else None
        second = _SECOND_LITERAL.match(line, first + 1) if first is not None else None
        if second is not None:
            close = _closing_quote(line, second.end() - 1)
            if close is not None:
                return ctx.start + second.end(), ctx.start + close, True, False
        if line[pos : pos + 2] != b"[]":
            return None
    return _literal_in_expression(ctx, pos)


def _bare_value(ctx: _Line, pos: int, words: bool) -> Span | None:
    """An unquoted value: up to the first blank (``words``), else up to a comment."""
    line, kind = ctx.line, ctx.kind
    stop = len(line)
    if words:
        for index in range(pos, len(line)):
            if line[index] in b" \t;`":
                stop = index
                break
    else:
        comment = line.find(b" #", pos)
        if comment != -1:
            stop = comment
        if kind == "yaml" and b"{" in line[:pos]:  # a flow mapping: {user: app, password: x}
            for index in range(pos, stop):
                if line[index] in b",}":
                    stop = index
                    break
        if kind == "ini":
            semicolon = line.find(b" ;", pos)
            if semicolon != -1:
                stop = min(stop, semicolon)
    lo, hi = _strip(line, pos, stop)
    if line[lo:hi] in _SCHEMES and stop < len(line):
        # `Authorization: Bearer <token>`: the token is the next word
        nxt = stop + 1
        while nxt < len(line) and line[nxt] not in b" \t;`\"'":
            nxt += 1
        hi = nxt
    if kind == "yaml" or kind == "toml":
        while hi > lo and line[hi - 1] in b",":
            hi -= 1
    if hi <= lo or line[lo : lo + 1] in (b"[", b"{", b"&", b"*", b"|", b">"):
        return None
    return ctx.start + lo, ctx.start + hi, False, False


def _literal_in_expression(ctx: _Line, pos: int) -> Span | None:
    """`SecretStr("x")`, `os.getenv("X", "fallback")`, `process.env.X || "fallback"`."""
    line = ctx.line
    call = _WRAPPER_CALL.match(line, pos)
    search_from = pos
    if call is not None:
        name = call.group("name").rsplit(b".", 1)[-1]
        if name in _LITERAL_WRAPPERS or _LOOKUP_CALL.search(call.group("name")) is None:
            if not (name[:1].isupper() or name in _LITERAL_WRAPPERS):
                return None  # some_function("..."): its argument is not what the name holds
            return _value(ctx.reread(kind="code", end=0), call.end(), "=")
        close = _closing_quote(line, call.end())
        if close is None:
            return None
        search_from = close + 1
    else:
        window = line[pos : pos + 200]
        if b"(" not in window and b"||" not in window and b"??" not in window and b" or " not in window:
            return None
    pattern = _FALLBACK if call is not None else _OR_FALLBACK
    fallback = pattern.search(line, search_from, min(len(line), search_from + 200))
    if fallback is None:
        return None
    quote = fallback.end()
    close = _closing_quote(line, quote)
    if close is None:
        return None
    return ctx.start + quote + 1, ctx.start + close, True, False


def _closing_quote(line: bytes, pos: int) -> int | None:
    quote = line[pos]
    index = pos + 1
    while index < len(line):
        char = line[index]
        if char == 92 and quote != 39:  # backslash escapes in "..." and `...`
            index += 2
            continue
        if char == quote:
            return index
        index += 1
    return None


def _continues_expression(line: bytes, pos: int) -> bool:
    rest = line[pos : pos + 12].lstrip()
    return rest[:1] in (b"+", b"%") or rest.startswith((b".format", b".replace", b"..", b"+"))


def _block_scalar(data: bytes, start: int, end: int) -> tuple[int, int, bool, bool] | None:
    """A YAML ``key: |`` value: the following lines indented deeper than the key."""
    line = data[start:end]
    indent = len(line) - len(line.lstrip(b" "))
    if line.lstrip(b" ").startswith(b"- "):
        indent += 2
    pos = end + 1
    first = last = -1
    count = 0
    limit = min(len(data), end + _MAX_BLOCK_BYTES)
    while pos < limit and count < _MAX_BLOCK_LINES:
        nl = data.find(b"\n", pos)
        line_end = nl if nl != -1 else len(data)
        text = data[pos:line_end].rstrip(b"\r")
        stripped = text.lstrip(b" ")
        if stripped:
            if len(text) - len(stripped) <= indent:
                break
            if first == -1:
                first = pos + len(text) - len(stripped)
            last = pos + len(text)
        count += 1
        if nl == -1:
            break
        pos = nl + 1
    if first == -1:
        return None
    return first, last, False, True


def block_text(data: bytes, start: int, end: int) -> str:
    """The content of a block scalar, each line stripped of its indentation."""
    return "\n".join(part.strip().decode("utf-8", "replace") for part in data[start:end].split(b"\n"))


__all__ = ["CODE", "CONFIG_BARE", "MARKUP", "MAX_LINE", "Pair", "block_text", "line_bounds", "next_line", "pairs_in_line"]
