"""secretshift: find plaintext secrets and move them into AWS Secrets Manager."""
from __future__ import annotations

__version__ = "0.1.0"
