"""The `secretshift` command: an explicit registry of subcommands, one error handler."""
from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys
from collections.abc import Sequence

from secretshift import __version__
from secretshift.errors import EXIT_ERROR, FatalError

# name -> (module with add_arguments(parser) and run(args) -> int, one-line help).
# Modules are imported only when their command runs, so `scan` stays fast to start.
COMMANDS: dict[str, tuple[str, str]] = {
    "scan": ("secretshift.commands.scan", "scan files or directories for secrets"),
    "rules": ("secretshift.commands.rules", "list the detection rules"),
    "hook": ("secretshift.hooks.detect", "pre-commit hook: fail on staged secrets not in the baseline"),
    "baseline": ("secretshift.commands.baseline", "create, update or audit the baseline (.secrets.baseline)"),
    "install-hook": ("secretshift.commands.install_hook", "install a plain git pre-commit (or pre-push) hook"),
    "ci": ("secretshift.commands.ci", "check a pull request's commits in CI (GitHub Actions, GitLab CI)"),
    "migrate": ("secretshift.commands.migrate", "move secrets into AWS Secrets Manager (plan, apply, interactive)"),
    "rotation": ("secretshift.commands.rotation", "check migrated secrets against their rotation lifetime"),
    "sweep": ("secretshift.commands.sweep", "scan the full history of many repositories on a Dask cluster"),
    "adr": ("secretshift.commands.adr", "check infrastructure code (and the live account) against ADR 005"),
}


def _columns() -> int:
    """The terminal's width as ``shutil.get_terminal_size`` finds it (COLUMNS, the terminal, else
    80), without importing shutil, which imports bz2 and lzma: ~2.5 ms of every commit hook, spent
    because argparse makes a help formatter for each argument it adds."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns if columns > 0 else 80


class _Parser(argparse.ArgumentParser):
    def _get_formatter(self) -> argparse.HelpFormatter:
        return self.formatter_class(prog=self.prog, width=_columns() - 2)  # type: ignore[call-arg]

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        raise FatalError(f"{message} (see `{self.prog} --help`)")

    def parse_args(self, args: Sequence[str] | None = None,  # type: ignore[override]
                   namespace: argparse.Namespace | None = None) -> argparse.Namespace:
        """Unknown options are reported by the command they were given to, with its usage
        (argparse would report them at the top level, with the top-level usage)."""
        parsed, unknown = self.parse_known_args(args, namespace)
        if unknown:
            command = self._command_parser(parsed)
            command.error(f"unrecognized arguments: {' '.join(unknown)}")
        return parsed

    def _command_parser(self, parsed: argparse.Namespace) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = self
        for dest in ("command", "action"):
            choices = next((a.choices for a in parser._actions if isinstance(a, argparse._SubParsersAction)), None)
            name = getattr(parsed, dest, None)
            if not isinstance(choices, dict) or name not in choices:
                break
            parser = choices[name]
        return parser


def _parser(selected: str | None, only_selected: bool = False) -> argparse.ArgumentParser:
    """``only_selected``: the command is known and no top-level help is asked for, so the other
    commands' parsers would never be shown (the commit hook starts on every commit)."""
    parser = _Parser(
        prog="secretshift",
        description="Keep plaintext secrets out of repositories; move them into AWS Secrets Manager.",
    )
    parser.add_argument("--version", action="version", version=f"secretshift {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name, (module, help_text) in COMMANDS.items():
        if only_selected and name != selected:
            continue  # each sub-parser costs ~1 ms (argparse formatters, gettext look-ups)
        command = sub.add_parser(name, help=help_text, description=help_text)
        if name == selected:
            from secretshift.help_examples import attach

            importlib.import_module(module).add_arguments(command)
            attach(command, name)
    return parser


def _command_word(args: Sequence[str]) -> str | None:
    return next((a for a in args if not a.startswith("-")), None)


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    selected = _command_word(args_list)
    collecting = gc.isenabled()
    # Starting up allocates ~100,000 objects (modules, classes, rules) and no garbage worth a
    # collection: the collector's passes over them cost the commit hook ~3% of its time.
    gc.disable()
    try:
        known = selected if selected in COMMANDS else None
        top_help = known is None or any(a in ("-h", "--help") for a in args_list[: args_list.index(known)])
        args = _parser(known, only_selected=not top_help).parse_args(args_list)
        module = importlib.import_module(COMMANDS[args.command][0])
        if collecting and args.command not in _SHORT_LIVED:
            gc.enable()
        return int(module.run(args))
    except FatalError as exc:
        print(f"secretshift: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("secretshift: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_ERROR
    except ModuleNotFoundError as exc:
        extra = _OPTIONAL_MODULES.get((exc.name or "").split(".")[0])
        if extra is None:
            return _internal_error(exc)
        from secretshift.install import install_command

        print(
            f"secretshift: error: `secretshift {selected}` needs {exc.name}, "
            f"an optional dependency: {install_command(extra)}",
            file=sys.stderr,
        )
        return EXIT_ERROR
    except Exception as exc:  # a bug, not a user error: never exit 1, which means "findings"
        return _internal_error(exc)
    finally:
        if collecting:
            gc.enable()


# Commands that run for a moment (a commit's changes) and exit: no garbage collection at all.
_SHORT_LIVED = frozenset({"hook"})


def console(argv: Sequence[str] | None = None) -> int:
    """The ``secretshift`` console script. After a commit-hook run the interpreter's teardown
    (freeing every module, class and rule one by one: ~5% of the hook's time) is skipped: the
    output is flushed and the process exits with the hook's code. In-process callers use main()."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    code = main(args_list)
    if argv is None and _command_word(args_list) in _SHORT_LIVED:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (OSError, ValueError):
            return code  # a closed or broken stream: let the normal exit report it
        os._exit(code)
    return code


# Libraries only some commands need (installed with an extra), so the commit hook stays light.
_OPTIONAL_MODULES = {"distributed": "sweep", "dask": "sweep", "boto3": "migrate", "botocore": "migrate", "libcst": "migrate",
                     "ruamel": "migrate", "git": "git", "urllib3": "validate", "pg8000": "validate",
                     "hcl2": "adr", "yaml": "adr", "lark": "adr"}


def _internal_error(exc: Exception) -> int:
    if os.environ.get("SECRETSHIFT_DEBUG"):
        raise exc
    # The message is left out: it could quote input, and input may hold a secret.
    print(
        f"secretshift: internal error ({type(exc).__name__}); "
        "rerun with SECRETSHIFT_DEBUG=1 for a traceback",
        file=sys.stderr,
    )
    return EXIT_ERROR


if __name__ == "__main__":
    raise SystemExit(main())
