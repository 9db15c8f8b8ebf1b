"""Standard input as one blob (`secretshift scan -`, `--stdin`): for a pipe from another tool, an
editor integration, or `git show REV:path | secretshift scan - --stdin-name path`. The display
name decides the file kind (a `.env` is read as one), and names the finding in reports."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from secretshift.models import Blob, Finding, Skipped
from secretshift.sources import ScanItem
from secretshift.textutil import looks_binary

STDIN_NAME = "<stdin>"


@dataclass(frozen=True)
class StdinSource:
    stream: BinaryIO
    max_size: int
    name: str = STDIN_NAME

    def items(self) -> Iterator[ScanItem | Skipped]:
        data = self.stream.read(self.max_size + 1)
        if len(data) > self.max_size:
            yield Skipped(self.name, f"larger than the max file size ({self.max_size} bytes)")
            return
        if looks_binary(data) and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            yield Skipped(self.name, "binary input")
            return
        yield ScanItem(Blob(self.name, data), place=_from_stdin)


FROM_STDIN = "from_stdin"  # a Finding.context key: the finding is in piped input, not in a file


def _from_stdin(finding: Finding) -> Finding:
    return finding._replace(context=(*finding.context, (FROM_STDIN, "1")))
