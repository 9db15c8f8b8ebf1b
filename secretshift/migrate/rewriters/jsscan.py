"""A small JavaScript/TypeScript block scanner: is an offset at module level, or inside an async function?

It skips strings, template literals and comments and classifies each ``{`` by the text before it.
Regular-expression literals are not recognised; a brace inside one can mislead the scanner, and
the worst outcome is a refused rewrite or a reviewer note, never a silent wrong edit of the value.
"""
from __future__ import annotations

import re

_CONTROL = re.compile(r"^(if|for|while|switch|catch|with|else|do|try|finally)\b")
_FUNCTION = re.compile(r"(\bfunction\b[^{]*|=>\s*|\)\s*(:\s*[^{()]+)?)$", re.DOTALL)


def _async_stack(text: str, offset: int) -> list[bool] | str:
    """One entry per open block at ``offset``: does code there run in an async function?

    Instead of a stack: "string" when ``offset`` is inside a string or comment, "template" when
    inside a template literal (whose ``${...}`` parts are code this scanner does not follow).
    """
    stack: list[bool] = []
    boundary = 0
    index = 0
    while index < offset:
        char = text[index]
        if text.startswith("//", index):
            end = text.find("\n", index)
            end = len(text) if end < 0 else end
            if end > offset:
                return "string"
            index = end
            continue
        if text.startswith("/*", index):
            end = text.find("*/", index + 2)
            end = len(text) if end < 0 else end + 2
            if end > offset:
                return "string"
            index = end
            continue
        if char in "\"'`":
            end = _string_end(text, index, char)
            if end > offset:
                return "template" if char == "`" else "string"
            index = end
            continue
        if char == "{":
            header = text[boundary:index].strip()
            is_function = bool(_FUNCTION.search(header)) and not _CONTROL.match(header)
            parent = stack[-1] if stack else False
            stack.append(bool(re.search(r"\basync\b", header)) if is_function else parent)
            boundary = index + 1
        elif char == "}":
            if stack:
                stack.pop()
            boundary = index + 1
        elif char == ";":
            boundary = index + 1
        index += 1
    return stack


def _string_end(text: str, start: int, quote: str) -> int:
    index = start + 1
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if char == quote:
            return index + 1
        if quote == "`" and text.startswith("${", index):
            depth = 1
            index += 2
            while index < len(text) and depth:
                depth += {"{": 1, "}": -1}.get(text[index], 0)
                index += 1
            continue
        index += 1
    return index


def module_level(text: str, offset: int) -> bool:
    return _async_stack(text, offset) == []


def enclosing_async(text: str, offset: int) -> bool:
    stack = _async_stack(text, offset)
    return isinstance(stack, list) and bool(stack) and stack[-1]


def context(text: str, offset: int) -> str:
    """"code", "string" (strings and comments: not a use) or "template" (maybe a use)."""
    stack = _async_stack(text, offset)
    return stack if isinstance(stack, str) else "code"
