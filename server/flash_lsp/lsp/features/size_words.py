"""How an archive-size estimate was obtained, in plain words for hovers, tooltips and reports."""

from __future__ import annotations

HOW_KNOWN = {
    "authoritative": "resolved with pip, as the build does",
    "provisional": "quick estimate with uv, pip check pending",
    "offline-estimate": "rough estimate from installed packages, the package index was not reachable",
}
HOW_KNOWN_CACHED = {
    "authoritative": "from the last pip resolution",
    "provisional": "from the last quick estimate",
}


def how_known(confidence: str | None, cached_from: str | None = None, updating: bool = False) -> str:
    """The estimate's confidence in plain words ("from the last pip resolution, updating")."""
    if confidence == "cached":
        text = HOW_KNOWN_CACHED.get(cached_from or "", "from an earlier estimate")
    else:
        text = HOW_KNOWN.get(confidence or "", "not known yet")
    return text + (", updating" if updating else "")
