"""One error type for everything a user can cause, handled once at the CLI boundary."""
from __future__ import annotations

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2


class FatalError(Exception):
    """A user-facing error: printed as one line, exit code 2, never a traceback.

    Messages must never contain a plaintext secret.
    """

    def __init__(self, message: str, exit_code: int = EXIT_ERROR) -> None:
        super().__init__(message)
        self.exit_code = exit_code
