"""What kind of file a blob is, from its name and (cheaply) its first bytes.

The kind decides how a line is read (may a value be a bare word, or must it be a quoted
literal?) and is reported as the finding's ``kind`` context.
"""
from __future__ import annotations

from functools import lru_cache

# Families: how values are written in the file.
CONFIG_BARE = "config"  # bare values allowed: KEY=value, key: value
CODE = "code"  # only quoted literals are values
MARKUP = "markup"  # XML: <key>value</key>, key="value"
DOCS = "docs"

_EXTENSIONS = {
    "yaml": "yaml", "yml": "yaml", "json": "json", "ipynb": "notebook", "tf": "terraform",
    "tfvars": "terraform", "hcl": "hcl", "properties": "properties", "ini": "ini", "cfg": "ini",
    "conf": "ini", "cnf": "ini", "toml": "toml", "xml": "xml", "csproj": "xml", "plist": "xml",
    "py": "python", "pyw": "python", "pyi": "python", "js": "javascript", "mjs": "javascript", "cjs": "javascript",
    "jsx": "javascript", "ts": "typescript", "tsx": "typescript", "mts": "typescript",
    "go": "go", "java": "java", "kt": "kotlin", "kts": "kotlin", "scala": "scala",
    "groovy": "groovy", "gradle": "groovy", "cs": "csharp", "vb": "vb", "rb": "ruby",
    "rake": "ruby", "php": "php", "sh": "shell", "bash": "shell", "zsh": "shell", "ksh": "shell",
    "ps1": "powershell", "psm1": "powershell", "bat": "batch", "cmd": "batch", "swift": "swift",
    "rs": "rust", "c": "c", "h": "c", "cc": "cpp", "cpp": "cpp", "hpp": "cpp", "m": "objc",
    "dart": "dart", "lua": "lua", "pl": "perl", "pm": "perl", "r": "r", "ex": "elixir",
    "exs": "elixir", "erl": "erlang", "clj": "clojure", "sql": "sql", "vue": "javascript",
    "svelte": "javascript", "env": "dotenv", "tfstate": "json", "tfstate.backup": "json", "md": "docs", "markdown": "docs", "rst": "docs",
    "adoc": "docs", "txt": "docs", "html": "docs", "htm": "docs", "config": "xml", "jsonc": "json",
    "json5": "json", "sbt": "scala", "tpl": "yaml", "j2": "yaml", "jinja": "yaml", "jinja2": "yaml",
}
_FAMILY = {
    "dotenv": CONFIG_BARE, "yaml": CONFIG_BARE, "properties": CONFIG_BARE, "ini": CONFIG_BARE,
    "toml": CONFIG_BARE, "shell": CONFIG_BARE, "dockerfile": CONFIG_BARE, "batch": CONFIG_BARE,
    "xml": MARKUP, "docs": DOCS,
}
_NAMES = {
    "dockerfile": "dockerfile", "containerfile": "dockerfile", ".envrc": "shell",
    ".bashrc": "shell", ".zshrc": "shell", ".profile": "shell", ".bash_profile": "shell",
    ".npmrc": "ini", ".pypirc": "ini", ".netrc": "netrc", "_netrc": "netrc", ".gitconfig": "ini",
    ".git-credentials": "docs", "makefile": "shell", "jenkinsfile": "groovy", "vagrantfile": "ruby",
    "gemfile": "ruby", "rakefile": "ruby", "procfile": "shell", ".htpasswd": "docs",
    "metadata": "docs", "pkg-info": "docs", "readme": "docs", "changelog": "docs", "license": "docs",
    "record": "docs", "notice": "docs", "authors": "docs", "copying": "docs",
    "my.cnf": "ini", ".my.cnf": "ini", ".pgpass": "docs", "web.config": "xml", "app.config": "xml",
    # Credential files without an extension (or with a misleading one), read as what they are.
    ".s3cfg": "ini", ".boto": "ini", "credentials": "ini", ".credentials": "ini", ".dockercfg": "json", "kubeconfig": "yaml",
    ".passwd-s3fs": "docs", "winscp.ini": "ini", ".git-credentials": "docs", "terraform.tfstate": "json",
}
# (path suffix, kind) for names that only say what they are together with their folder.
_PATH_SUFFIXES = (
    ("/.gem/credentials", "yaml"), ("/.kube/config", "yaml"), ("/.aws/config", "ini"), ("/.docker/config.json", "json"),
)


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


def structure(base_kind: str) -> str:
    """Which key-path tracker reads a file of this (path) kind: yaml, json or none."""
    if base_kind == "yaml":
        return "yaml"
    if base_kind in ("json", "notebook"):
        return "json"
    return "none"
