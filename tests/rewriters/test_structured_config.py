from __future__ import annotations

import json

from secretshift.migrate.rewriters.structured_config import StructuredConfigRewriter
from tests.rewriters.support import parses_yaml, ref_to, rewrite_twice

VALUES = """\
# Default values for shop.
replicaCount: 2
postgresql:
  auth:
    username: shop
    password: helm-pa55word-778899
    existingSecret: ""
redis:
  password: 'helm-redis-pa55-4455'
"""
VALUES_EXPECTED = """\
# Default values for shop.
replicaCount: 2
postgresql:
  auth:
    username: shop
    password: ""
    existingSecret: "shop-secrets"
redis:
  password: '${REDIS_PASSWORD}'
"""
EXTERNAL_SECRET = """\
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata:
  name: shop-secrets
spec:
  refreshInterval: 1h
  secretStoreRef:
    name: aws-secrets-manager
    kind: SecretStore
  target:
    name: shop-secrets
    creationPolicy: Owner
  data:
    - secretKey: REDIS_PASSWORD
      remoteRef:
        key: shop/prod/helm
        property: redis_password
    - secretKey: password
      remoteRef:
        key: shop/prod/helm
        property: password
"""


def test_helm_values_use_existing_secret_or_a_placeholder() -> None:
    path = "charts/shop/values.yaml"
    refs = [
        ref_to(VALUES, "helm-pa55word-778899", "shop/prod/helm", "password", path, key_path="postgresql.auth.password"),
        ref_to(VALUES, "helm-redis-pa55-4455", "shop/prod/helm", "redis_password", path, key_path="redis.password"),
    ]
    result = rewrite_twice(StructuredConfigRewriter(), path, VALUES, refs)
    assert result.text == VALUES_EXPECTED
    assert result.extra_files == {"charts/shop/externalsecret-shop-secrets.yaml": EXTERNAL_SECRET}
    parses_yaml(result.text)
    parses_yaml(EXTERNAL_SECRET)


def test_plain_json_config_gets_placeholders() -> None:
    text = '{\n  "db": {"host": "db", "password": "json-pa55word-665544"},\n  "port": 8080\n}\n'
    ref = ref_to(text, "json-pa55word-665544", "shop/prod/config", "password", "config/app.json", key_path="db.password")
    result = rewrite_twice(StructuredConfigRewriter(), "config/app.json", text, [ref])
    assert result.text == text.replace("json-pa55word-665544", "${DB_PASSWORD}")
    assert json.loads(result.text)["db"]["password"] == "${DB_PASSWORD}"
    assert list(result.extra_files) == ["config/externalsecret-app-secrets.yaml"]


def test_spring_yaml_part_of_a_url() -> None:
    text = "spring:\n  datasource:\n    url: jdbc:postgresql://shop:yaml-pa55word-31415@db/shop\n"
    ref = ref_to(text, "yaml-pa55word-31415", "shop/prod/app", "password", "src/main/resources/application.yml",
                 key_path="spring.datasource.password")
    result = rewrite_twice(StructuredConfigRewriter(), "src/main/resources/application.yml", text, [ref])
    assert result.text == text.replace("yaml-pa55word-31415", "${SPRING_DATASOURCE_PASSWORD}")


def test_leaves_other_files_and_empty_plans_alone() -> None:
    assert not StructuredConfigRewriter().applies_to("main.py", "x = 1")
    from tests.rewriters.support import SETTINGS

    assert StructuredConfigRewriter().rewrite("values.yaml", VALUES, [], SETTINGS).text == VALUES


def test_a_rewrite_that_would_break_the_yaml_is_refused() -> None:
    import pytest

    from secretshift.migrate.rewriters.base import RewriteRefused
    from tests.rewriters.support import SETTINGS

    # Inside a flow mapping a plain `${...}` could not stand; the rewriter quotes or refuses, never breaks.
    text = "db: {user: shop, password: flow-pa55word-1234}\n"
    ref = ref_to(text, "flow-pa55word-1234", "x", "password", "c.yaml", key_path="db.password")
    result = StructuredConfigRewriter().rewrite("c.yaml", text, [ref], SETTINGS)
    assert parses_yaml(result.text)[0] == {"db": {"user": "shop", "password": "${DB_PASSWORD}"}}
    broken = "a: [1, 2\nb: flow-pa55word-1234\n"
    with pytest.raises(RewriteRefused):
        StructuredConfigRewriter().rewrite("c.yaml", broken, [ref_to(broken, "flow-pa55word-1234", "x", "b", "c.yaml")], SETTINGS)


def test_a_secret_nested_in_a_list_is_refused() -> None:
    import pytest

    from secretshift.migrate.rewriters.base import RewriteRefused
    from tests.rewriters.support import SETTINGS

    text = "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Secret\n    stringData:\n      t: list-secret-value-123\n"
    with pytest.raises(RewriteRefused, match="nested"):
        StructuredConfigRewriter().rewrite("k.yaml", text, [ref_to(text, "list-secret-value-123", "x", "t", "k.yaml")], SETTINGS)
