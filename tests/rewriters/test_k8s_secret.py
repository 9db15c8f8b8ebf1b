from __future__ import annotations

import pytest

from secretshift.migrate.rewriters.base import RewriteRefused, RewriteSettings
from secretshift.migrate.rewriters.k8s_secret import KubernetesSecretRewriter
from tests.rewriters.support import SETTINGS, parses_yaml, ref_to, rewrite_twice

PATH = "deploy/app.yaml"
MANIFESTS = """\
# The application
apiVersion: v1
kind: ConfigMap
metadata:
  name: app-config
data:
  LOG_LEVEL: info   # keep me
---
# database credentials
apiVersion: v1
kind: Secret
metadata:
  name: db-credentials
  namespace: shop
  labels:
    app: shop
type: kubernetes.io/basic-auth
data:
  username: YWRtaW4=
  password: Zm9vYmFyLXNlY3JldC0xMjM0NQ==
stringData:
  api-token: "tok-9f8e7d6c5b4a3f2e"
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: shop, namespace: shop}
spec:
  template:
    spec:
      containers:
        - name: shop
          envFrom:
            - secretRef: {name: db-credentials}
"""

EXTERNAL_SECRET = """\
# database credentials
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata:
  name: db-credentials
  namespace: shop
spec:
  refreshInterval: 1h
  secretStoreRef:
    name: aws-secrets-manager
    kind: SecretStore
  target:
    name: db-credentials
    creationPolicy: Owner
    template:
      type: kubernetes.io/basic-auth
      metadata:
        labels:
          app: shop
      mergePolicy: Merge
      data:
        username: admin
  data:
    - secretKey: api-token
      remoteRef:
        key: shop/default/db-credentials
        property: api-token
    - secretKey: password
      remoteRef:
        key: shop/default/db-credentials
        property: password
---
"""

STORE = """\
apiVersion: external-secrets.io/v1
kind: SecretStore
metadata:
  name: aws-secrets-manager
  namespace: shop
spec:
  provider:
    aws:
      service: SecretsManager
      region: eu-west-1
      auth:
        jwt:
          serviceAccountRef:
            name: external-secrets
"""


def _refs(text: str = MANIFESTS) -> list:
    return [
        ref_to(text, "Zm9vYmFyLXNlY3JldC0xMjM0NQ==", "shop/default/db-credentials", "password", PATH,
               kind="k8s-secret", encoding="base64"),
        ref_to(text, "tok-9f8e7d6c5b4a3f2e", "shop/default/db-credentials", "api-token", PATH, kind="k8s-secret"),
    ]


def test_rewrites_the_secret_into_an_external_secret_in_place() -> None:
    result = rewrite_twice(KubernetesSecretRewriter(), PATH, MANIFESTS, _refs())
    before, _, after = MANIFESTS.partition("# database credentials\n")
    tail = after[after.index("apiVersion: apps/v1"):]
    assert result.text == before + EXTERNAL_SECRET + tail
    assert result.extra_files == {"deploy/secretstore-shop.yaml": STORE}
    docs = parses_yaml(result.text)
    assert [d["kind"] for d in docs] == ["ConfigMap", "ExternalSecret", "Deployment"]  # type: ignore[index]
    assert "# keep me" in result.text
    parses_yaml(STORE)


def test_cluster_store_when_configured() -> None:
    settings = RewriteSettings(region="eu-west-1", eso_store_kind="ClusterSecretStore", eso_service_account="eso")
    result = KubernetesSecretRewriter().rewrite(PATH, MANIFESTS, _refs(), settings)
    (path, store), = result.extra_files.items()
    assert path == "deploy/clustersecretstore.yaml"
    doc = parses_yaml(store)[0]
    assert doc["kind"] == "ClusterSecretStore"  # type: ignore[index]
    assert doc["spec"]["provider"]["aws"]["auth"]["jwt"]["serviceAccountRef"] == {  # type: ignore[index]
        "name": "eso", "namespace": "external-secrets"}
    assert "kind: ClusterSecretStore" in result.text


def test_opaque_secret_without_namespace_has_no_template() -> None:
    text = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: plain\ndata:\n  key: c2VjcmV0LXZhbHVlLWFiY2RlZg==\n"
    ref = ref_to(text, "c2VjcmV0LXZhbHVlLWFiY2RlZg==", "app/plain", "key", "k8s/s.yaml", encoding="base64")
    result = rewrite_twice(KubernetesSecretRewriter(), "k8s/s.yaml", text, [ref])
    doc = parses_yaml(result.text)[0]
    assert "template" not in doc["spec"]["target"]  # type: ignore[index]
    assert "namespace" not in doc["metadata"]  # type: ignore[index]
    assert list(result.extra_files) == ["k8s/secretstore.yaml"]


@pytest.mark.parametrize(("path", "text"), [
    pytest.param("deploy/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n", id="configmap"),
    pytest.param("deploy/secret.txt", "apiVersion: v1\nkind: Secret\n", id="not-yaml-file"),
    pytest.param("notes.yaml", "kind: Secretive\napiVersion: v1\n", id="other-kind"),
])
def test_leaves_other_files_alone(path: str, text: str) -> None:
    assert not KubernetesSecretRewriter().applies_to(path, text)


def test_no_references_changes_nothing() -> None:
    assert KubernetesSecretRewriter().rewrite(PATH, MANIFESTS, [], SETTINGS).text == MANIFESTS


def test_refuses_a_value_outside_data() -> None:
    ref = ref_to(MANIFESTS, "db-credentials", "x", "name", PATH)
    with pytest.raises(RewriteRefused, match="data/stringData"):
        KubernetesSecretRewriter().rewrite(PATH, MANIFESTS, [ref], SETTINGS)


def test_part_of_a_longer_value_is_refused() -> None:
    text = MANIFESTS.replace('"tok-9f8e7d6c5b4a3f2e"', '"url: https://u:tok-9f8e7d6c5b4a3f2e@host"')
    ref = ref_to(text, "tok-9f8e7d6c5b4a3f2e", "shop/default/db-credentials", "api-token", PATH)
    with pytest.raises(RewriteRefused, match="longer value"):
        KubernetesSecretRewriter().rewrite(PATH, text, [ref], SETTINGS)


def test_json_secret_becomes_a_json_external_secret() -> None:
    import json

    text = '{\n  "apiVersion": "v1",\n  "kind": "Secret",\n  "metadata": {"name": "api", "namespace": "web"},\n' \
           '  "stringData": {"token": "json-k8s-token-13579"}\n}\n'
    assert KubernetesSecretRewriter().applies_to("k8s/api.json", text)
    ref = ref_to(text, "json-k8s-token-13579", "web/api", "token", "k8s/api.json")
    result = rewrite_twice(KubernetesSecretRewriter(), "k8s/api.json", text, [ref])
    doc = json.loads(result.text)
    assert doc["kind"] == "ExternalSecret" and doc["spec"]["data"] == [
        {"secretKey": "token", "remoteRef": {"key": "web/api", "property": "token"}}]
    assert list(result.extra_files) == ["k8s/secretstore-web.yaml"]


def test_a_short_value_that_also_names_the_namespace_is_not_a_leftover() -> None:
    from secretshift.migrate.plan_file import SourceRef
    from secretshift.migrate.preview import rewrite_sites
    from secretshift.migrate.rewriters.k8s_secret import KubernetesSecretRewriter
    from secretshift.migrate.settings import MigrateSettings

    text = ("apiVersion: v1\nkind: Secret\nmetadata:\n  name: orders-db\n  namespace: orders\ntype: Opaque\n"
            "stringData:\n  username: orders\n  password: k8s-pa55word-0123456789\n")
    refs = []
    for value, key in (("orders", "username"), ("k8s-pa55word-0123456789", "password")):
        ref = ref_to(text, value, "shop/orders-db", key, "k8s/db.yaml", occurrence=2 if value == "orders" else 0)
        refs.append(SourceRef(ref.path, ref.line, ref.column, ref.end_line, ref.end_column, value, ref.secret_name,
                              ref.json_key, "k8s-secret-data", key))
    values = {"orders": "orders", "k8s-pa55word-0123456789": "k8s-pa55word-0123456789"}
    result, left = rewrite_sites(KubernetesSecretRewriter(), "k8s/db.yaml", text, refs, MigrateSettings(), values)
    assert left == [] and result is not None
    assert "kind: ExternalSecret" in result.text and "namespace: orders" in result.text
