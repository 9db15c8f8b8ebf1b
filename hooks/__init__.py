"""Thin entry points for pre-commit and CI; each module has ``main(argv=None) -> int``."""
