"""Fake secret values and hard-negative values for the accuracy corpus (seeded, never real)."""
from __future__ import annotations

import base64
import random
import string
import uuid

B62 = string.ascii_letters + string.digits
_SYLLABLES = ["ka", "ro", "mi", "tu", "ven", "dal", "qui", "zor", "pex", "lum", "bri", "sho", "nak", "tel", "vy", "gro"]
_SYMBOLS = "!@#%^&*-_+=?."


class Values:
    """One seeded source of every value the corpus needs."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def chars(self, alphabet: str, n: int) -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(n))

    def b62(self, n: int) -> str:
        while True:
            value = self.chars(B62, n)
            if any(c.isdigit() for c in value) and any(c.isupper() for c in value) and any(c.islower() for c in value):
                return value

    def hex(self, n: int) -> str:
        return self.chars("0123456789abcdef", n)

    def b64(self, nbytes: int) -> str:
        return base64.b64encode(bytes(self.rng.getrandbits(8) for _ in range(nbytes))).decode()

    def password(self) -> str:
        style = self.rng.randrange(4)
        if style == 0:  # pronounceable with digits and a symbol: Venkaro7!mi
            word = "".join(self.rng.choice(_SYLLABLES) for _ in range(self.rng.randint(2, 4)))
            return word.capitalize() + str(self.rng.randint(10, 9999)) + self.rng.choice(_SYMBOLS) + self.rng.choice(_SYLLABLES)
        if style == 1:
            return self.chars(B62 + _SYMBOLS, self.rng.randint(10, 24))
        if style == 2:
            return self.b62(self.rng.randint(12, 32))
        return "-".join(self.rng.choice(_SYLLABLES) + str(self.rng.randint(1, 99)) for _ in range(3))

    def token(self) -> str:
        style = self.rng.randrange(6)
        if style == 0:
            return self.hex(self.rng.choice([32, 40, 64]))
        if style == 1:
            return self.b64(self.rng.choice([24, 32, 48])).rstrip("=")
        if style == 2:
            return "sk_live_" + self.b62(24)
        if style == 3:
            return "xoxb-" + self.chars(string.digits, 11) + "-" + self.chars(string.digits, 12) + "-" + self.b62(24)
        if style == 4:
            return "glpat-" + self.chars(B62 + "-_", 20)
        return self.b62(self.rng.randint(24, 48))

    def secret(self) -> str:
        return self.rng.choice([self.password, self.token])()

    def aws_key_id(self) -> str:
        return "AKIA" + self.chars(string.ascii_uppercase + "234567", 16)

    def aws_secret(self) -> str:
        return self.chars(B62 + "/+", 40)

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def host(self) -> str:
        return self.rng.choice(["db", "postgres", "mysql-primary", "redis", "mq", "cache"]) + "." + self.rng.choice(
            ["internal", "svc.cluster.local", "prod.corp", "eu-west-1.rds.amazonaws.com"]
        )

    def user(self) -> str:
        return self.rng.choice(["app", "svc_orders", "billing", "api_user", "reporting", "etl"])

    def db_url(self) -> tuple[str, str]:
        scheme = self.rng.choice(["postgres", "postgresql", "mysql", "mongodb+srv", "redis", "amqp", "mssql"])
        password = self.password().replace("@", "x").replace("/", "y").replace("#", "h").replace("?", "q")
        return f"{scheme}://{self.user()}:{password}@{self.host()}:{self.rng.randint(1000, 9999)}/{self.user()}", password

    def pem_private_key(self) -> list[str]:
        body = self.b64(self.rng.choice([600, 900]))
        kind = self.rng.choice(["RSA PRIVATE KEY", "PRIVATE KEY", "EC PRIVATE KEY"])
        return [f"-----BEGIN {kind}-----", *[body[i : i + 64] for i in range(0, len(body), 64)], f"-----END {kind}-----"]

    def pem_public(self, label: str) -> list[str]:
        body = "MII" + self.b64(270)
        return [f"-----BEGIN {label}-----", *[body[i : i + 64] for i in range(0, len(body), 64)], f"-----END {label}-----"]

    def ssh_public(self) -> str:
        return "ssh-rsa AAAAB3NzaC1yc2E" + self.b64(270).rstrip("=") + " deploy@build"

    # -- hard negatives -----------------------------------------------------------------------
    def placeholder(self) -> str:
        return self.rng.choice([
            "changeme", "<your-password>", "<API_KEY>", "xxxxxxxxxxxx", "********", "your-api-key-here",
            "REPLACE_ME", "TODO", "example", "dummy-password", "", "null", "CHANGE_ME", "<insert token>",
            "your_secret_here", "placeholder", "...", "XXXXXXXXXXXXXXXX", "set-me", "<redacted>", "secret",
            "password", "none", "sample-token", "my-secret-value", "fake_api_key", "replace-with-real-token",
            "not-a-real-secret", "ENTER_YOUR_KEY", "*****", "abc123", "000000", "12345678",
        ])

    def reference(self, name: str) -> str:
        lowered = name.lower()
        return self.rng.choice([
            f"${{{name}}}", f"${name}", f"{{{{ .Values.{lowered} }}}}", f"${{{{ secrets.{name} }}}}",
            f"arn:aws:secretsmanager:us-east-1:123456789012:secret:{lowered}-AbCdEf",
            f"ssm:/prod/app/{lowered}", f"vault:secret/data/app#{lowered}", f"/run/secrets/{lowered}",
            f"{{{{resolve:secretsmanager:app/{lowered}:SecretString:value}}}}", f"%({name})s",
            f"${{env:{name}}}", f"#{{{name}}}", f"{{{{ {lowered} }}}}", f"ENC[AES256_GCM,data:{self.b64(12)},type:str]",
        ])

    def git_sha(self) -> str:
        return self.hex(40)

    def version(self) -> str:
        return f"{self.rng.randint(0, 9)}.{self.rng.randint(0, 30)}.{self.rng.randint(0, 99)}"

    def data_uri(self) -> str:
        kind = self.rng.choice(["image/png", "image/svg+xml", "font/woff2", "image/gif"])
        return f"data:{kind};base64,{self.b64(self.rng.randint(60, 200))}"
