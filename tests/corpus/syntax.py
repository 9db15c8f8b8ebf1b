"""How each file kind writes ``key = value``: one line per (kind, key, value), several styles."""
from __future__ import annotations

import random
import re


def words(name: str) -> list[str]:
    return [w.lower() for w in re.split(r"[^A-Za-z0-9]+", name) if w]


def snake(name: str) -> str:
    return "_".join(words(name))


def upper(name: str) -> str:
    return snake(name).upper()


def camel(name: str) -> str:
    parts = words(name)
    return parts[0] + "".join(p.capitalize() for p in parts[1:])


def pascal(name: str) -> str:
    return "".join(p.capitalize() for p in words(name))


def kebab(name: str) -> str:
    return "-".join(words(name))


def dotted(name: str) -> str:
    return ".".join(words(name))


def assignment(kind: str, name: str, value: str, rng: random.Random) -> str:
    """A line assigning the literal ``value`` to ``name`` in ``kind``'s syntax."""
    styles = _STYLES[kind]
    return rng.choice(styles)(name, value)


_STYLES = {
    "dotenv": [
        lambda n, v: f"{upper(n)}={v}",
        lambda n, v: f'{upper(n)}="{v}"',
        lambda n, v: f"export {upper(n)}='{v}'",
        lambda n, v: f"{upper(n)} = {v}",
    ],
    "yaml": [
        lambda n, v: f"  {snake(n)}: {v}",
        lambda n, v: f'  {camel(n)}: "{v}"',
        lambda n, v: f"  {kebab(n)}: '{v}'",
        lambda n, v: f"    {snake(n)}: \"{v}\"  # rotated quarterly",
    ],
    "json": [
        lambda n, v: f'  "{snake(n)}": "{v}",',
        lambda n, v: f'  "{camel(n)}": "{v}",',
        lambda n, v: f'    "{upper(n)}":"{v}",',
    ],
    "hcl": [
        lambda n, v: f'  {snake(n)} = "{v}"',
        lambda n, v: f'  {snake(n)}      = "{v}"',
    ],
    "properties": [
        lambda n, v: f"{dotted(n)}={v}",
        lambda n, v: f"app.{dotted(n)} = {v}",
        lambda n, v: f"{camel(n)}: {v}",
    ],
    "ini": [
        lambda n, v: f"{snake(n)} = {v}",
        lambda n, v: f"{snake(n)}={v}",
    ],
    "toml": [
        lambda n, v: f'{snake(n)} = "{v}"',
        lambda n, v: f"{snake(n)} = '{v}'",
    ],
    "xml": [
        lambda n, v: f"    <{camel(n)}>{v}</{camel(n)}>",
        lambda n, v: f'    <add key="{pascal(n)}" value="{v}" />',
        lambda n, v: f'    <property name="{dotted(n)}" value="{v}"/>',
        lambda n, v: f"    <{dotted(n)}>{v}</{dotted(n)}>",
    ],
    "python": [
        lambda n, v: f'{upper(n)} = "{v}"',
        lambda n, v: f"{snake(n)} = '{v}'",
        lambda n, v: f'    {snake(n)}="{v}",',
        lambda n, v: f'    "{snake(n)}": "{v}",',
        lambda n, v: f'settings["{snake(n)}"] = "{v}"',
    ],
    "javascript": [
        lambda n, v: f'const {camel(n)} = "{v}";',
        lambda n, v: f"  {camel(n)}: '{v}',",
        lambda n, v: f"let {camel(n)} = `{v}`;",
        lambda n, v: f'export const {upper(n)} = "{v}";',
    ],
    "typescript": [
        lambda n, v: f'const {camel(n)}: string = "{v}";',
        lambda n, v: f"  {camel(n)}: '{v}',",
        lambda n, v: f'export const {upper(n)} = "{v}" as const;',
        lambda n, v: f'  private readonly {camel(n)} = "{v}";',
    ],
    "go": [
        lambda n, v: f'\t{camel(n)} := "{v}"',
        lambda n, v: f'const {pascal(n)} = "{v}"',
        lambda n, v: f'\t\t{pascal(n)}: "{v}",',
        lambda n, v: f'var {camel(n)} = "{v}"',
    ],
    "java": [
        lambda n, v: f'    private static final String {upper(n)} = "{v}";',
        lambda n, v: f'        String {camel(n)} = "{v}";',
        lambda n, v: f'        props.setProperty("{dotted(n)}", "{v}");',
        lambda n, v: f'        config.set{pascal(n)}("{v}");',
    ],
    "csharp": [
        lambda n, v: f'        var {camel(n)} = "{v}";',
        lambda n, v: f'        public const string {pascal(n)} = "{v}";',
        lambda n, v: f'            {pascal(n)} = "{v}",',
        lambda n, v: f'        private readonly string _{camel(n)} = @"{v}";',
    ],
    "ruby": [
        lambda n, v: f"  {snake(n)} = '{v}'",
        lambda n, v: f"  {snake(n)}: '{v}',",
        lambda n, v: f'  config.{snake(n)} = "{v}"',
        lambda n, v: f"  :{snake(n)} => '{v}',",
    ],
    "php": [
        lambda n, v: f"${snake(n)} = '{v}';",
        lambda n, v: f"    '{snake(n)}' => '{v}',",
        lambda n, v: f"define('{upper(n)}', '{v}');",
        lambda n, v: f'    "{snake(n)}" => "{v}",',
    ],
    "shell": [
        lambda n, v: f'export {upper(n)}="{v}"',
        lambda n, v: f"{upper(n)}={v}",
        lambda n, v: f"export {upper(n)}='{v}'",
    ],
    "dockerfile": [
        lambda n, v: f"ENV {upper(n)}={v}",
        lambda n, v: f"ENV {upper(n)} {v}",
        lambda n, v: f'ARG {upper(n)}="{v}"',
    ],
}
KINDS = tuple(_STYLES)

# How code reads a value at runtime instead of holding it: never a finding.
RUNTIME_LOOKUPS = {
    "python": [lambda n: f'{upper(n)} = os.environ["{upper(n)}"]', lambda n: f'{snake(n)} = os.getenv("{upper(n)}")',
               lambda n: f'{snake(n)} = settings.{upper(n)}', lambda n: f'{snake(n)} = get_secret("{kebab(n)}")'],
    "javascript": [lambda n: f"const {camel(n)} = process.env.{upper(n)};",
                   lambda n: f"  {camel(n)}: process.env.{upper(n)} ?? '',", lambda n: f"const {camel(n)} = await getSecret('{kebab(n)}');"],
    "typescript": [lambda n: f"const {camel(n)}: string = process.env.{upper(n)}!;",
                   lambda n: f"  {camel(n)}: config.get<string>('{dotted(n)}'),"],
    "go": [lambda n: f'\t{camel(n)} := os.Getenv("{upper(n)}")', lambda n: f"\t\t{pascal(n)}: cfg.{pascal(n)},"],
    "java": [lambda n: f'        String {camel(n)} = System.getenv("{upper(n)}");',
             lambda n: f'    @Value("${{{dotted(n)}}}")', lambda n: f"        config.set{pascal(n)}(env.get{pascal(n)}());"],
    "csharp": [lambda n: f'        var {camel(n)} = Environment.GetEnvironmentVariable("{upper(n)}");',
               lambda n: f'        var {camel(n)} = Configuration["{pascal(n)}"];'],
    "ruby": [lambda n: f"  {snake(n)} = ENV['{upper(n)}']", lambda n: f"  {snake(n)}: ENV.fetch('{upper(n)}'),",
             lambda n: f"  {snake(n)} = Rails.application.credentials.{snake(n)}"],
    "php": [lambda n: f"${snake(n)} = getenv('{upper(n)}');", lambda n: f"    '{snake(n)}' => env('{upper(n)}'),"],
    "shell": [lambda n: f'export {upper(n)}="$(aws secretsmanager get-secret-value --secret-id {kebab(n)} --query SecretString --output text)"',
              lambda n: f'{upper(n)}="${{{upper(n)}:?must be set}}"'],
    "dockerfile": [lambda n: f"ARG {upper(n)}", lambda n: f"ENV {upper(n)}=${upper(n)}"],
}
