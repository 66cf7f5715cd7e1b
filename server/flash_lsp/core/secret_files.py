"""Which shipped files look like credentials (see docs/warnings.md, "Secret files").

A name decides first (`.env`, `token.env`, `*.key`, `id_rsa`, `*.pem` …). Certificate authority bundles are
public data that many packages ship (`certifi/cacert.pem`, `ca-bundle.pem`), so they are not
secrets: known bundle names and anything under a `certifi/` directory are left out, and when the
file can be read, a PEM file that holds certificates and no private key is left out too.
"""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path

SECRET_PATTERNS = (".env", ".env.*", "*.env", "*.env.*", "*.pem", "*.key", "id_rsa", "id_ed25519", ".netrc", ".pypirc")
CA_BUNDLE_PATTERNS = ("cacert*.pem", "ca-bundle*.pem", "ca_bundle*.pem", "ca-certificates*.pem", "cacerts*.pem")
CA_BUNDLE_DIRS = frozenset({"certifi"})
PEM_HEAD_BYTES = 256 * 1024

_SECRET = re.compile("|".join(fnmatch.translate(p) for p in SECRET_PATTERNS))
_CA_BUNDLE = re.compile("|".join(fnmatch.translate(p) for p in CA_BUNDLE_PATTERNS), re.IGNORECASE)


def looks_secret(relpath: str) -> bool:
    """By path alone: a credential-like name that is not a sample or a CA bundle."""
    parts = relpath.split("/")
    base = parts[-1]
    if not _SECRET.match(base) or base.endswith((".example", ".sample")):
        return False
    return not (_CA_BUNDLE.match(base) or CA_BUNDLE_DIRS.intersection(parts[:-1]))


def is_secret_file(root: Path, relpath: str) -> bool:
    """`looks_secret`, and for PEM files also their content: certificates alone are public."""
    if not looks_secret(relpath):
        return False
    if not relpath.endswith(".pem"):
        return True
    try:
        with open(root / relpath, "rb") as f:
            head = f.read(PEM_HEAD_BYTES)
    except OSError:
        return True
    return b"PRIVATE KEY" in head or b"-----BEGIN CERTIFICATE-----" not in head
