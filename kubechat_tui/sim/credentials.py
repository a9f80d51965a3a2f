"""Credentials beyond the scenario's fixed tokens: tokens issued and revoked while the fleet
runs (a rotated token file, an expired token), and client certificates.

A client certificate authenticates as kube-apiserver's x509 authenticator does: the user
is the subject's CommonName, the groups its Organizations (plus system:authenticated).
A CommonName that names a simulated identity gets that identity's permissions. (A
certificate the CA did not sign, or an expired one, fails the TLS handshake here; a real
apiserver, which verifies in its authenticator, answers 401.)
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Sequence

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from kubechat_tui.sim.fleet import SimFleet
from kubechat_tui.sim.rbac import IDENTITIES, Identity
from kubechat_tui.sim.tls import ServerCerts

AUTHENTICATED = "system:authenticated"


def issue_token(fleet: SimFleet, cluster: str, identity: str) -> str:
    """A new bearer token for `identity` on `cluster` (the scenario's stays valid)."""
    if identity not in IDENTITIES:
        raise ValueError(f"unknown identity {identity!r} (choose from {', '.join(IDENTITIES)})")
    token = f"sim-{identity}-{secrets.token_hex(16)}"
    fleet.tokens[token] = (cluster, identity)
    return token


def revoke_token(fleet: SimFleet, token: str) -> None:
    """From now on `token` is answered 401 (an expired or revoked token)."""
    fleet.tokens.pop(token, None)


def issue_client_certificate(certs: ServerCerts, user: str,
                             groups: Sequence[str] = ()) -> tuple[bytes, bytes]:
    """(certificate PEM, key PEM) for CN=`user`, O=`groups`, signed by the fleet's CA,
    valid for a day."""
    start = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=5)
    ca = x509.load_pem_x509_certificate(certs.ca_pem)
    key = ec.generate_private_key(ec.SECP256R1())
    subject = [x509.NameAttribute(NameOID.ORGANIZATION_NAME, g) for g in groups]
    subject.append(x509.NameAttribute(NameOID.COMMON_NAME, user))
    cert = (x509.CertificateBuilder().subject_name(x509.Name(subject))
            .issuer_name(ca.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(start + datetime.timedelta(days=1))
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]),
                           critical=False)
            .sign(certs.ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    return cert.public_bytes(pem), key.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                                     serialization.NoEncryption())


def certificate_identity(der: bytes) -> Identity:
    """Who a verified client certificate says the caller is."""
    subject = x509.load_der_x509_certificate(der).subject
    user = _values(subject, NameOID.COMMON_NAME)[:1] or [""]
    groups = (*_values(subject, NameOID.ORGANIZATION_NAME), AUTHENTICATED)
    known = next((i for i in IDENTITIES.values() if i.username == user[0]), None)
    if known is None:
        return Identity(user[0], user[0], groups, "none")
    return Identity(known.name, known.username, groups, known.role, known.namespaces)


def _values(subject: x509.Name, oid: x509.ObjectIdentifier) -> list[str]:
    return [str(a.value) for a in subject.get_attributes_for_oid(oid)]
