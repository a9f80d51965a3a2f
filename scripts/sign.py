"""Sign or verify a file (the release's SHA256SUMS) with an ECDSA P-256 key, the format
`cosign sign-blob --key` / `cosign verify-blob --key` use: a base64 DER signature over the
file's SHA-256. The release workflow signs keyless through cosign; this script covers the
key-based path and its test.

    python scripts/sign.py keygen PRIVATE.pem PUBLIC.pem
    python scripts/sign.py sign PRIVATE.pem FILE        # writes FILE.sig
    python scripts/sign.py verify PUBLIC.pem FILE       # reads FILE.sig; exit 1 if bad
"""

from __future__ import annotations

import base64
import sys
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec


def keygen(private: Path, public: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    private.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                          serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    private.chmod(0o600)
    public.write_bytes(key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))


def sign(private: Path, target: Path) -> None:
    key = serialization.load_pem_private_key(private.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise SystemExit(f"{private}: not an ECDSA private key")
    signature = key.sign(target.read_bytes(), ec.ECDSA(hashes.SHA256()))
    Path(f"{target}.sig").write_text(base64.b64encode(signature).decode() + "\n")


def verify(public: Path, target: Path) -> int:
    key = serialization.load_pem_public_key(public.read_bytes())
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise SystemExit(f"{public}: not an ECDSA public key")
    signature = base64.b64decode(Path(f"{target}.sig").read_text())
    try:
        key.verify(signature, target.read_bytes(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        print(f"{target}: signature does not verify with {public}", file=sys.stderr)
        return 1
    print(f"{target}: signature verified")
    return 0


def main(argv: list[str]) -> int:
    match argv:
        case ["keygen", private, public]:
            keygen(Path(private), Path(public))
        case ["sign", private, target]:
            sign(Path(private), Path(target))
        case ["verify", public, target]:
            return verify(Path(public), Path(target))
        case _:
            print(__doc__, file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
