"""Live validation (opt-in, `--validate`): does a found secret still work, and whose is it?

Validators are declared with their rule in the built-in packs (``[rules.validation]``, see
:mod:`secretshift.validate.spec`); AWS key pairs and database URLs need code
(:mod:`~secretshift.validate.aws`, :mod:`~secretshift.validate.database`). Safety rules live in
:mod:`~secretshift.validate.safety`. Nothing here is imported by a scan without `--validate`.
"""
from __future__ import annotations
