"""The structural path of a value in YAML or JSON (``spec.containers[0].env[2].value``).

Computed only when a finding is about to be reported, by one bounded forward pass over the
YAML document (indentation) or the JSON text (brackets) up to the value's offset.
"""
from __future__ import annotations


from secretshift import lazy_re

MAX_STRUCTURED_BYTES = 4 << 20
_MAX_DEPTH = 64
_YAML_KEY = lazy_re.compile(rb"""(?P<key>"[^"]{1,200}"|'[^']{1,200}'|[^\s:#'"\-{\[][^:#]{0,200}?|-[^\s:#][^:#]{0,200}?)\s*:(?:\s|$)""")
_BLOCK = lazy_re.compile(rb""":\s*[|>][-+]?[0-9]?\s*(?:#.*)?$""")
_JSON_TOKEN = lazy_re.compile(rb"""["{}\[\],:]""")


def _segment(stack: list[tuple[int, str, bool]]) -> str:
    out = ""
    for _, label, is_seq in stack:
        out += label if is_seq else (("." if out else "") + label)
    return out


def yaml_path(data: bytes, offset: int) -> str | None:
    """The key path of the value starting at ``offset`` in a YAML blob."""
    if offset > MAX_STRUCTURED_BYTES:
        return None
    doc_start = data.rfind(b"\n---", 0, offset)
    pos = doc_start + 1 if doc_start != -1 else 0
    if doc_start != -1:
        pos = data.find(b"\n", pos) + 1
    stack: list[tuple[int, str, bool]] = []
    block_indent = -1
    target_line_end = data.find(b"\n", offset)
    if target_line_end == -1:
        target_line_end = len(data)
    while pos <= offset and pos < len(data):
        nl = data.find(b"\n", pos)
        end = nl if nl != -1 else len(data)
        line = data[pos:end].rstrip(b"\r")
        stripped = line.lstrip(b" ")
        col = len(line) - len(stripped)
        next_pos = end + 1
        if not stripped or stripped.startswith(b"#"):
            pos = next_pos
            continue
        if block_indent >= 0:
            if col > block_indent:
                pos = next_pos
                continue
            block_indent = -1
        while stripped.startswith(b"- ") or stripped == b"-":
            while stack and stack[-1][0] > col:
                stack.pop()
            if stack and stack[-1][2] and stack[-1][0] == col:
                index = int(stack[-1][1][1:-1]) + 1
                stack[-1] = (col, f"[{index}]", True)
            else:
                stack.append((col, "[0]", True))
            rest = stripped[2:]
            col += 2 + len(rest) - len(rest.lstrip(b" "))
            stripped = rest.lstrip(b" ")
        match = _YAML_KEY.match(stripped)
        if match is not None:
            while stack and stack[-1][0] >= col:
                stack.pop()
            key = match.group("key").strip().strip(b"\"'").decode("utf-8", "replace")
            stack.append((col, key, False))
            if _BLOCK.search(stripped):
                block_indent = col
        if len(stack) > _MAX_DEPTH:
            return None
        pos = next_pos
    return _segment(stack) or None


def json_path(data: bytes, offset: int) -> str | None:
    """The key path of the string value starting at ``offset`` in a JSON blob."""
    if offset > MAX_STRUCTURED_BYTES:
        return None
    stack: list[list[object]] = []  # ["obj", key, expecting_key] or ["arr", index]
    pos = 0
    while pos < offset:
        match = _JSON_TOKEN.search(data, pos, offset)
        if match is None:
            break
        char = data[match.start()]
        pos = match.end()
        if char == 34:  # a string: skip to its end
            close = pos
            while True:
                close = data.find(b'"', close, offset + 1)
                if close == -1:
                    return _json_segment(stack)
                backslashes = 0
                while data[close - 1 - backslashes] == 92:
                    backslashes += 1
                if backslashes % 2 == 0:
                    break
                close += 1
            if stack and stack[-1][0] == "obj" and stack[-1][2]:
                stack[-1][1] = data[pos:close].decode("utf-8", "replace")
                stack[-1][2] = False
            pos = close + 1
        elif char == 123:
            stack.append(["obj", "", True])
        elif char == 91:
            stack.append(["arr", 0])
        elif char in (125, 93):
            if stack:
                stack.pop()
        elif char == 44 and stack:
            if stack[-1][0] == "arr":
                stack[-1][1] = int(str(stack[-1][1])) + 1
            else:
                stack[-1][2] = True
        if len(stack) > _MAX_DEPTH:
            return None
    return _json_segment(stack)


def _json_segment(stack: list[list[object]]) -> str | None:
    out = ""
    for frame in stack:
        if frame[0] == "arr":
            out += f"[{frame[1]}]"
        else:
            out += ("." if out else "") + str(frame[1])
    return out or None
