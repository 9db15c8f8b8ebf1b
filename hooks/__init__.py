"""Thin entry points for pre-commit and CI; each module has ``main(argv=None) -> int``."""

# This folder is installed as `secretshift.hooks` (pyproject's package-dir). With the repository
# root on sys.path it would also import as `hooks`: a second copy of every module, with its own
# classes and registries. One module, one name.
if __name__ != "secretshift.hooks":
    raise ImportError(f"import secretshift.hooks, not {__name__}: this folder is the secretshift.hooks package")
