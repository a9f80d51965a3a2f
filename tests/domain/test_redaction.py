"""The one redaction module: a canary per secret shape (each must be masked, by its rule)
and a sample per non-secret shape (each must survive), in text and in JSON-like data."""

from __future__ import annotations

import copy
import re

import pytest

from kubechat_tui.domain.redaction import (
    MASK,
    Redactor,
    is_secret_key,
    redact_data,
    redact_text,
)

HEX64 = "3f1c0b8e9d2a4c6f8e1b3d5a7c9e0f2a4b6d8c0e1f3a5b7c9d0e2f4a6b8c0d1e"
JWT = ("eyJhbGciOiJSUzI1NiIsImtpZCI6IlhZWiJ9.eyJpc3MiOiJrdWJlcm5ldGVzL3NlcnZpY2VhY2NvdW50Iiw"
       "ic3ViIjoic3lzdGVtOnNlcnZpY2VhY2NvdW50OnBheW1lbnRzOmRlZmF1bHQifQ.c2lnbmF0dXJlLXBhcnQ")
PEM_BODY = "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n"
A36 = "Zq3Lm9Tx0Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8Qr9"  # 36 letters and digits
A20 = A36[:20]
BASIC = "ZGVwbG95OlN1cDNyLVMzY3JldA=="  # base64 of deploy:Sup3r-S3cret
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzQ3kLm9Tx0"
B64_JWT = "ZXlKaGJHY2lPaUpTVXpJMU5pSXNJbXRwWkNJNklsaFpXaUo5LmV5SnBjM01p"
HIGH_ENTROPY = "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2Vj"

# (rule id, text around the canary, the canary itself)
CANARIES = [
    ("aws-access-key-id", "creds AKIAZ7Q2VYKX4MN3PL5T end", "AKIAZ7Q2VYKX4MN3PL5T"),
    ("aws-access-key-id", "sts ASIAZ7Q2VYKX4MN3PL5T end", "ASIAZ7Q2VYKX4MN3PL5T"),
    ("aws-secret-access-key", f"aws_secret_access_key = {AWS_SECRET}", AWS_SECRET),
    ("aws-secret-access-key", f"AWS_SECRET_ACCESS_KEY {AWS_SECRET}", AWS_SECRET),
    ("github-token", f"push ghp_{A36} end", f"ghp_{A36}"),
    ("github-token", f"oauth gho_{A36}", f"gho_{A36}"),
    ("github-token", f"app ghu_{A36}", f"ghu_{A36}"),
    ("github-token", f"app ghs_{A36}", f"ghs_{A36}"),
    ("github-token", f"refresh ghr_{A36}", f"ghr_{A36}"),
    ("github-token", f"pat github_pat_11AZQ3LM90_{A36}{A20}", f"github_pat_11AZQ3LM90_{A36}{A20}"),
    ("gitlab-token", f"clone glpat-{A20} end", f"glpat-{A20}"),
    ("gitlab-token", f"deploy gldt-{A20}", f"gldt-{A20}"),
    ("gitlab-token", f"runner glrt-{A20}", f"glrt-{A20}"),
    ("gitlab-token", f"register GR1348941{A20}", f"GR1348941{A20}"),
    ("slack-token", f"bot xoxb-1234567890-1234567890123-{A20}",
     f"xoxb-1234567890-1234567890123-{A20}"),
    ("slack-token", "socket xapp-1-A0123456789-1234567890123-zq3lm9tx0ab1cd2ef3",
     "xapp-1-A0123456789-1234567890123-zq3lm9tx0ab1cd2ef3"),
    ("slack-webhook", f"POST https://hooks.slack.com/services/T0123ABCD/B0123ABCD/{A20}",
     f"T0123ABCD/B0123ABCD/{A20}"),
    ("stripe-key", f"charge sk_live_{A20} end", f"sk_live_{A20}"),
    ("stripe-key", f"restricted rk_live_{A20}", f"rk_live_{A20}"),
    ("stripe-key", f"hook whsec_{A36}", f"whsec_{A36}"),
    ("openai-style-key", f"model sk-proj-{A20}", f"sk-proj-{A20}"),
    ("google-api-key", f"maps AIzaSy{A36[:33]} end", f"AIzaSy{A36[:33]}"),
    ("npm-token", f"publish npm_{A36}", f"npm_{A36}"),
    ("private-key", f"-----BEGIN RSA PRIVATE KEY-----\n{PEM_BODY}-----END RSA PRIVATE KEY-----",
     PEM_BODY.strip()),
    ("private-key", f"-----BEGIN PRIVATE KEY-----\n{PEM_BODY}-----END PRIVATE KEY-----",
     PEM_BODY.strip()),
    ("private-key", f"-----BEGIN EC PRIVATE KEY-----\n{PEM_BODY}-----END EC PRIVATE KEY-----",
     PEM_BODY.strip()),
    ("private-key", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAA\n"
     "-----END OPENSSH PRIVATE KEY-----", "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAA"),
    ("private-key", "-----BEGIN PGP PRIVATE KEY BLOCK-----\nlQOYBGXzq3sBCADZq3Lm9Tx0\n"
     "-----END PGP PRIVATE KEY BLOCK-----", "lQOYBGXzq3sBCADZq3Lm9Tx0"),
    ("private-key", f"log cut short: -----BEGIN RSA PRIVATE KEY-----\n{PEM_BODY}",
     PEM_BODY.strip()),
    ("jwt", f"token {JWT} end", JWT),
    ("jwt-base64", f"sa {B64_JWT} end", B64_JWT),
    ("kubernetes-bootstrap-token", "kubeadm join 10.0.0.1:6443 --token abcdef.0123456789abcdef",
     "abcdef.0123456789abcdef"),
    ("url-password", "git clone https://deploy:Sup3r-S3cret@git.example.com/repo.git",
     "Sup3r-S3cret"),
    ("url-password", "DATABASE_URL=postgres://app:pg-P4ss-w0rd@db:5432/app", "pg-P4ss-w0rd"),
    ("url-password", "dsn postgresql://app:pg-P4ss-w0rd@db/app?sslmode=require", "pg-P4ss-w0rd"),
    ("url-password", "mysql://root:my-P4ss-w0rd@mysql:3306/shop", "my-P4ss-w0rd"),
    ("url-password", "mongodb+srv://svc:mongo-P4ss@cluster0.ab1cd.mongodb.net/db", "mongo-P4ss"),
    ("url-password", "REDIS_URL=redis://:redis-P4ss@redis:6379/0", "redis-P4ss"),
    ("url-password", "broker amqp://guest:amqp-P4ss@rabbit:5672/", "amqp-P4ss"),
    ("url-password", "broker amqps://guest:p@ss@word@rabbit:5671/vhost", "p@ss@word"),
    ("authorization-header", f"Authorization: Basic {BASIC}", BASIC),
    ("authorization-header", f'"authorization": "Bearer {A20}"', A20),
    ("bearer-token", "curl -H 'X: bearer Zq3Lm9Tx0Ab1.Cd2Ef3Gh'", "Zq3Lm9Tx0Ab1.Cd2Ef3Gh"),
    ("basic-auth", f"sent basic {BASIC} upstream", BASIC),
    ("azure-storage-key", f"DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={A36}"
     "St0Uv1Wx2Yz3==;EndpointSuffix=core.windows.net", f"{A36}St0Uv1Wx2Yz3=="),
    ("azure-storage-key", "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=root;"
     f"SharedAccessKey={A36}=", f"{A36}="),
    ("azure-sas-signature", "https://acct.blob.core.windows.net/c/b?sv=2022-11-02&sr=b&"
     f"sig={A20}%2BIj5Kl6%3D", f"{A20}%2BIj5Kl6%3D"),
    ("secret-key-name", "db password=hunter2 user=alice", "hunter2"),
    ("secret-key-name", "env DB_PASSWORD=ledger-9 PORT=5432", "ledger-9"),
    ("secret-key-name", "MYSQL_ROOT_PASSWORD: 'rootpw-1'", "rootpw-1"),
    ("secret-key-name", "export API_KEY=k-12345", "k-12345"),
    ("secret-key-name", "CLIENT_SECRET=cs-abc123", "cs-abc123"),
    ("secret-key-name", 'config {"apiKey": "ak-9z9z", "region": "eu"}', "ak-9z9z"),
    ("secret-key-name", "x-api-key: ak-9z9z9", "ak-9z9z9"),
    ("secret-key-name", "secret: s3cr3t-value", "s3cr3t-value"),
    ("secret-key-name", "password: correct horse battery staple  # xkcd", "horse battery"),
    ("secret-key-name", "{password: two words, user: bob}", "two words"),
    ("secret-key-name", "token: t0k3n-value", "t0k3n-value"),
    ("secret-key-name", "//registry.npmjs.org/:_authToken=8f1c2d3e-npm", "8f1c2d3e-npm"),
    ("secret-key-name", f"client_secret: {HIGH_ENTROPY}", HIGH_ENTROPY),
    ("secret-flag", "psql --password hunter3 -h db", "hunter3"),
    ("secret-flag", "helm install --set-string x=1 --api-key=ak-777", "ak-777"),
]

# Text that looks technical but holds no secret: every one must come back unchanged.
NOT_SECRETS = [
    f"image registry.example/payments/api@sha256:{HEX64}",
    f"imageID: docker-pullable://registry.example/api@sha256:{HEX64}",
    f"digest sha256:{HEX64}",
    f'"plan_hash": "{HEX64}"',
    "commit 9fceb02d0ae598e95dc970b74767f19372d61af8 (HEAD -> main)",
    "uid: 3f2504e0-4f89-11d3-9a0c-0305e82c3301",
    'resourceVersion: "123456789"',
    "pod-template-hash=7d4b9c8f5 controller-revision-hash=6b8f7c9d4",
    "pod payments-api-7d4b9c8f5-x2k9q restarted 12 times",
    "secretName: payments-db-credentials",
    "secretKeyRef: {name: payments-db, key: password}",
    "passwordFile: /etc/secrets/db-password",
    "DB_PASSWORD:  <set to the key 'password' in secret 'payments-db'>  Optional: false",
    "tokenExpirationSeconds: 3600 automountServiceAccountToken: false",
    "max_tokens: 512",
    "imagePullSecrets: regcred",
    "certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUJkekNDQVIyZ0F3SUJB",
    "a basic configuration; bearer tokens are rotated hourly",
    "https://user@git.example.com/repo.git and http://10.0.0.1:8080/healthz",
    "kubectl scale deployments/payments-api -n payments --replicas=5",
    "Back-off restarting failed container api in pod payments-api-7d4b9c8f5-x2k9q",
    "kubectl --context prod-eu get pods -n payments -l app=payments-api",
    "password: ${DB_PASSWORD} token: {{ .Values.token }}",
]


@pytest.mark.parametrize(("rule", "text", "canary"), CANARIES,
                         ids=[f"{r}:{t[:24]}" for r, t, _ in CANARIES])
def test_every_secret_shape_is_masked_by_its_rule(rule: str, text: str, canary: str) -> None:
    result = redact_text(text)
    assert canary not in result.text and MASK in result.text
    assert rule in result.rules


@pytest.mark.parametrize("text", NOT_SECRETS)
def test_non_secret_shapes_survive(text: str) -> None:
    result = redact_text(text)
    assert result.text == text and result.rules == frozenset()


def test_the_surroundings_of_a_secret_are_kept() -> None:
    text = "GET https://svc:pw-123@api.internal/v1 Authorization: Bearer Zq3Lm9Tx0Ab1Cd2 ok"
    assert redact_text(text).text == (f"GET https://svc:{MASK}@api.internal/v1 "
                                      f"Authorization: Bearer {MASK} ok")
    assert redact_text("db password=hunter2 api_key: 'abc' user=alice").text == (
        f"db password={MASK} api_key: '{MASK}' user=alice")


@pytest.mark.parametrize(("name", "secret"), [
    ("DB_PASSWORD", True), ("MYSQL_ROOT_PASSWORD", True), ("API_KEY", True),
    ("CLIENT_SECRET", True), ("apiKey", True), ("x-api-key", True), ("dbpassword", True),
    ("_authToken", True), ("AccountKey", True), ("aws_secret_access_key", True),
    ("secretName", False), ("secretKeyRef", False), ("password_file", False),
    ("max_tokens", False), ("tokenExpirationSeconds", False), ("imagePullSecrets", False),
    ("key", False), ("resourceVersion", False), ("user", False),
])
def test_secret_key_names(name: str, secret: bool) -> None:
    assert is_secret_key(name) is secret


def test_data_is_masked_by_key_name_object_kind_and_value_shape() -> None:
    uid = "3f2504e0-4f89-11d3-9a0c-0305e82c3301"
    pod = {"kind": "Pod", "metadata": {"name": "api", "uid": uid},
           "spec": {"containers": [{"name": "api", "image": f"api@sha256:{HEX64}", "env": [
               {"name": "DB_PASSWORD", "value": "ledger-9"},
               {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db"}}},
               {"name": "LOG_LEVEL", "value": "debug"}],
               "args": ["--dsn=postgres://app:pg-P4ss@db/app"]}]},
           "credentials": {"username": "app", "password": "pw-1"}, "replicas": 3,
           "api_token": 12345, "enabled": True}
    original = copy.deepcopy(pod)
    result = redact_data(pod)
    container = result.value["spec"]["containers"][0]
    assert container["env"][0] == {"name": "DB_PASSWORD", "value": MASK}
    assert container["env"][1] == original["spec"]["containers"][0]["env"][1]
    assert container["env"][2]["value"] == "debug"
    assert container["args"] == [f"--dsn=postgres://app:{MASK}@db/app"]
    assert container["image"] == f"api@sha256:{HEX64}"
    assert result.value["credentials"] == {"username": "app", "password": MASK}
    assert result.value["api_token"] == MASK and result.value["replicas"] == 3
    assert result.value["enabled"] is True and result.value["metadata"] == original["metadata"]
    assert result.rules == {"secret-key-name", "url-password"}
    assert pod == original  # the input is never modified


def test_a_kubernetes_secret_keeps_its_keys_not_its_values() -> None:
    secret = {"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
              "metadata": {"name": "db", "annotations": {
                  "kubectl.kubernetes.io/last-applied-configuration": '{"data": {"x": "eA=="}}'}},
              "data": {"username": "YWRtaW4=", "tls.key": "LS0tLS1CRUdJTg=="},
              "stringData": {"config.ini": "[db]\nhost=db"}}
    result = redact_data({"kind": "SecretList", "items": [secret]})
    masked = result.value["items"][0]
    assert masked["data"] == {"username": MASK, "tls.key": MASK}
    assert masked["stringData"] == {"config.ini": MASK}
    assert masked["metadata"]["annotations"] == {
        "kubectl.kubernetes.io/last-applied-configuration": MASK}
    assert masked["metadata"]["name"] == "db" and "kubernetes-secret" in result.rules


def test_configured_patterns_apply_and_are_named() -> None:
    result = Redactor([r"ACME-\d{6}"]).redact_text("ticket ACME-123456 for payments-api")
    assert result.text == f"ticket {MASK} for payments-api"
    assert result.rules == {"redact_patterns[0]"}


def test_bad_configured_pattern_fails_early() -> None:
    with pytest.raises(re.error):
        Redactor(["(unclosed"])


def test_redact_returns_the_text() -> None:
    assert Redactor().redact("password=x1") == f"password={MASK}"
