#!/usr/bin/env python3
"""SPARROW as an integration client of CSCMS (INT-1, INT-2).

Python's standard library plus one package, `cryptography`:

    python3 sparrow_client.py keygen             # sparrow-key.pem (private) and the JWK Set to register
    python3 sparrow_client.py token CLIENT_ID    # an access token, by a signed client assertion (RFC 7523)

CSCMS_URL (default http://127.0.0.1:8080) is the server; the assertion's
`aud` is the token endpoint named in its metadata.
"""

import base64
import json
import os
import sys
import time
import urllib.parse
import urllib.request
import uuid

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

BASE = os.environ.get("CSCMS_URL", "http://127.0.0.1:8080").rstrip("/")
KEY_FILE = os.environ.get("SPARROW_KEY", "sparrow-key.pem")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwk_of(public: ec.EllipticCurvePublicKey, kid: str) -> dict:
    n = public.public_numbers()
    return {"kty": "EC", "crv": "P-256", "kid": kid, "use": "sig", "alg": "ES256",
            "x": b64url(n.x.to_bytes(32, "big")), "y": b64url(n.y.to_bytes(32, "big"))}


def keygen() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    fd = os.open(KEY_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    print(json.dumps({"keys": [jwk_of(key.public_key(), "sparrow-1")]}))


def assertion(client_id: str, audience: str) -> str:
    with open(KEY_FILE, "rb") as f:
        key = serialization.load_pem_private_key(f.read(), password=None)
    now = int(time.time())
    header = {"alg": "ES256", "typ": "JWT", "kid": "sparrow-1"}
    claims = {"iss": client_id, "sub": client_id, "aud": audience,
              "iat": now, "exp": now + 120, "jti": str(uuid.uuid4())}
    signing_input = (b64url(json.dumps(header).encode()) + "." +
                     b64url(json.dumps(claims).encode())).encode()
    # JWS (RFC 7518 §3.4) wants r || s, not the DER the library gives.
    r, s = decode_dss_signature(key.sign(signing_input, ec.ECDSA(hashes.SHA256())))
    return signing_input.decode() + "." + b64url(r.to_bytes(32, "big") + s.to_bytes(32, "big"))


def token(client_id: str, scope: str | None) -> None:
    with urllib.request.urlopen(BASE + "/.well-known/oauth-authorization-server") as r:
        endpoint = json.load(r)["token_endpoint"]
    form = {"grant_type": "client_credentials",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": assertion(client_id, endpoint)}
    if scope:
        form["scope"] = scope
    req = urllib.request.Request(endpoint, data=urllib.parse.urlencode(form).encode(),
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(req) as r:
            print(json.load(r)["access_token"])
    except urllib.error.HTTPError as e:
        sys.exit(f"token refused: {e.code} {e.read().decode()}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["keygen"]:
        keygen()
    elif sys.argv[1:2] == ["token"] and len(sys.argv) >= 3:
        token(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
    else:
        sys.exit(__doc__)
