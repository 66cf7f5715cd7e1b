"""The editor set-up snippets of README.md, as users copy them: each follows a
`<!-- snippet: NAME -->` line, in the next fenced code block."""

from __future__ import annotations

import re

from .conftest import REPO

_SNIPPET = re.compile(r"<!-- snippet: (?P<name>[\w.-]+) -->\s*```\w*\n(?P<code>.*?)\n```", re.S)


def readme_snippet(name: str) -> str:
    snippets = {m["name"]: m["code"] for m in _SNIPPET.finditer((REPO / "README.md").read_text(encoding="utf-8"))}
    assert name in snippets, f"README.md has no snippet {name!r} (found {sorted(snippets)})"
    return snippets[name] + "\n"
