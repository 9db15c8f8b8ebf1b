"""What kind of file a blob is, from its name and (cheaply) its first bytes.

The kind decides how a line is read (may a value be a bare word, or must it be a quoted
literal?) and is reported as the finding's ``kind`` context.
"""
from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

# Families: how values are written in the file.
CONFIG_BARE = "config"  # bare values allowed: KEY=value, key: value
CODE = "code"  # only quoted literals are values
MARKUP = "markup"  # XML: <key>value</key>, key="value"
DOCS = "docs"


class Kind(NamedTuple):
    """One file kind: the one place that says how a language or file kind is read, commented
    and migrated. A NamedTuple, not a dataclass: the hook imports this module at start-up."""

    name: str
    extensions: tuple[str, ...] = ()  # lower case, no dot: what `path_kind` maps to this kind
    family: str = CODE  # how values are written (the parsers in assignments.py dispatch on it)
    leader: str = ""  # line-comment leader for `secretshift: allow` ("" = cannot comment)
    above: bool = False  # the allow comment goes on the line above (a reader would take an inline one as value)
    literals: bool = False  # source code: each literal is its own secret, never grouped by the migration
    rewriter: str = ""  # `Rewriter.name` of the migration rewriter for files of this kind
    names: tuple[str, ...] = ()  # lower-case file names; one starting with "/" is a path ending
    also: tuple[str, ...] = ()  # other files' extensions read as this kind (templates, components)
    words: bool = False  # a bare value ends at the first blank or `;` (a shell word), not at a comment


# Kinds that `refine_kind` derives from a file's first bytes have no extensions of their own.
KINDS: tuple[Kind, ...] = (
    Kind("yaml", ("yaml", "yml"), CONFIG_BARE, "#", True, rewriter="structured-config",
         names=("kubeconfig", "/.gem/credentials", "/.kube/config"), also=("tpl", "j2", "jinja", "jinja2")),
    Kind("json", ("json", "jsonc", "json5", "tfstate"), rewriter="structured-config",
         names=(".dockercfg", "terraform.tfstate", "/.docker/config.json")),
    Kind("notebook", ("ipynb",), literals=True),
    Kind("terraform", ("tf", "tfvars"), CODE, "#", True, rewriter="terraform"),
    Kind("hcl", ("hcl",), CODE, "#", True),
    Kind("properties", ("properties",), CONFIG_BARE, "#", True, rewriter="env-placeholder"),
    Kind("ini", ("ini", "cfg", "conf", "cnf"), CONFIG_BARE, "#", True, rewriter="env-placeholder",
         names=(".npmrc", ".pypirc", ".gitconfig", "my.cnf", ".my.cnf", ".s3cfg", ".boto", "credentials",
                ".credentials", "winscp.ini", "/.aws/config")),
    Kind("toml", ("toml",), CONFIG_BARE, "#", True, rewriter="env-placeholder"),
    Kind("dotenv", ("env",), CONFIG_BARE, "#", True, rewriter="dotenv", words=True),
    Kind("dockerfile", ("dockerfile",), CONFIG_BARE, "#", rewriter="dockerfile", names=("dockerfile", "containerfile"),
         words=True),
    Kind("shell", ("sh", "bash", "zsh", "ksh"), CONFIG_BARE, "#", literals=True,
         names=(".envrc", ".bashrc", ".zshrc", ".profile", ".bash_profile", "makefile", "procfile"), words=True),
    Kind("batch", ("bat", "cmd"), CONFIG_BARE, words=True),
    Kind("powershell", ("ps1", "psm1")),
    Kind("xml", ("xml", "csproj", "plist", "config"), MARKUP, names=("web.config", "app.config")),
    Kind("docs", ("md", "markdown", "rst", "adoc", "txt", "html", "htm"), DOCS,
         names=(".git-credentials", ".htpasswd", "metadata", "pkg-info", "readme", "changelog", "license",
                "record", "notice", "authors", "copying", ".pgpass", ".passwd-s3fs")),
    Kind("netrc", names=(".netrc", "_netrc")),
    Kind("python", ("py", "pyw", "pyi"), CODE, "#", literals=True, rewriter="python"),
    Kind("javascript", ("js", "mjs", "cjs", "jsx"), CODE, "//", literals=True, rewriter="javascript",
         also=("vue", "svelte")),
    Kind("typescript", ("ts", "tsx", "mts"), CODE, "//", literals=True, rewriter="javascript"),
    Kind("go", ("go",), CODE, "//", literals=True, rewriter="go"),
    Kind("java", ("java",), CODE, "//", literals=True, rewriter="java"),
    Kind("kotlin", ("kt", "kts"), CODE, "//", literals=True),
    Kind("scala", ("scala", "sbt"), literals=True),
    Kind("groovy", ("groovy", "gradle"), names=("jenkinsfile",), words=True),
    Kind("csharp", ("cs",), CODE, "//", literals=True),
    Kind("vb", ("vb",)),
    Kind("ruby", ("rb", "rake"), CODE, "#", literals=True, names=("vagrantfile", "gemfile", "rakefile")),
    Kind("php", ("php",), CODE, "//", literals=True),
    Kind("swift", ("swift",), CODE, "//", literals=True),
    Kind("rust", ("rs",), CODE, "//", literals=True),
    Kind("c", ("c", "h"), literals=True),
    Kind("cpp", ("cc", "cpp", "hpp"), literals=True),
    Kind("objc", ("m",)),
    Kind("dart", ("dart",)),
    Kind("lua", ("lua",)),
    Kind("perl", ("pl", "pm")),
    Kind("r", ("r",)),
    Kind("elixir", ("ex", "exs")),
    Kind("erlang", ("erl",)),
    Kind("clojure", ("clj",)),
    Kind("sql", ("sql",)),
    # Refined from a YAML/JSON/HCL file's first bytes (refine_kind), or a detector's own kind.
    Kind("github-workflow", (), CONFIG_BARE, "#", True, rewriter="github-workflow"),
    Kind("cloudformation", (), CONFIG_BARE, "#", True, rewriter="cloudformation"),
    Kind("compose", (), CONFIG_BARE, "#", True, rewriter="compose"),
    Kind("helm", (), CONFIG_BARE, "#", True, rewriter="helm"),
    Kind("kubernetes", (), CONFIG_BARE, "#", True),
    Kind("k8s-secret", rewriter="k8s-secret"),  # the Kubernetes detector's Secret manifests (YAML or JSON)
    Kind("ecs-task", rewriter="ecs-task"),
    Kind("docker-config"),
)
BY_NAME: dict[str, Kind] = {k.name: k for k in KINDS}
_EXTENSIONS = {ext: k.name for k in KINDS for ext in (*k.extensions, *k.also)}
_FAMILY = {k.name: k.family for k in KINDS}
_NAMES = {n: k.name for k in KINDS for n in k.names if not n.startswith("/")}
# (path suffix, kind) for names that only say what they are together with their folder.
_PATH_SUFFIXES = tuple((n, k.name) for k in KINDS for n in k.names if n.startswith("/"))


@lru_cache(maxsize=1024)
def path_kind(path: str) -> str:
    name = path.rsplit("/", 1)[-1].lower()
    slashed = "/" + path.replace("\\", "/").lower()
    for suffix, kind in _PATH_SUFFIXES:
        if slashed.endswith(suffix):
            return kind
    if name in _NAMES:
        return _NAMES[name]
    if name.startswith("dockerfile") or name.endswith(".dockerfile"):
        return "dockerfile"
    if name == ".env" or name.startswith(".env.") or name.endswith(".env"):
        return "dotenv"
    if "." not in name:
        return "unknown"
    ext = name.rsplit(".", 1)[1]
    if ext in ("example", "sample", "template", "dist", "tmpl", "in", "bak", "orig", "local"):
        return path_kind(path[: -len(ext) - 1])
    return _EXTENSIONS.get(ext, "unknown")


def family(kind: str) -> str:
    return _FAMILY.get(kind, CODE)


def refine_kind(path: str, kind: str, head: bytes) -> str:
    """The specific flavour of a YAML/JSON/HCL file, for reports and the migration planner."""
    lowered = path.lower()
    if kind == "yaml":
        if "/.github/workflows/" in f"/{lowered}":
            return "github-workflow"
        if b"AWSTemplateFormatVersion" in head or b"AWS::" in head:
            return "cloudformation"
        name = lowered.rsplit("/", 1)[-1]
        if name.startswith(("docker-compose", "compose.")):
            return "compose"
        if name.startswith("values") or "/charts/" in f"/{lowered}" or "/templates/" in lowered:
            return "helm"
        if b"apiVersion:" in head and b"kind:" in head:
            return "kubernetes"
        return "yaml"
    if kind == "json":
        if b"containerDefinitions" in head:
            return "ecs-task"
        if b"AWSTemplateFormatVersion" in head or b'"AWS::' in head:
            return "cloudformation"
        if b'"auths"' in head:
            return "docker-config"
        if b'"apiVersion"' in head and b'"kind"' in head:
            return "kubernetes"
        return "json"
    if kind == "hcl" and b"resource " in head:
        return "terraform"
    return kind

