"""The knowledge the code relies on lives in `docs/`: comments cite our own documents, never
reference material a maintainer does not have (a spec's sections, notes, issue numbers)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ("server", "bench", "tests", "client-vscode/src", "schemas")
SUFFIXES = {".py", ".ts", ".mjs", ".json", ".sh"}
FOREIGN = re.compile(r"spec §|§[0-9]|bundle-size\.md|flash-build-spec|field-notes|lsp-practice|[Ii]ssue #?[0-9]")
DOC_PATH = re.compile(r"docs/[\w.-]+\.md")
# This file spells the forbidden patterns out.
SELF = Path(__file__).resolve()


def _sources() -> list[Path]:
    fixtures = ROOT / "tests" / "fixtures"
    return [
        p
        for top in SCANNED
        for p in sorted((ROOT / top).rglob("*"))
        if p.suffix in SUFFIXES and p.is_file() and fixtures not in p.parents and p != SELF
    ]


def test_no_citation_of_documents_outside_the_repository():
    found = [
        f"{p.relative_to(ROOT)}:{n}: {line.strip()}"
        for p in _sources()
        for n, line in enumerate(p.read_text(encoding="utf-8", errors="replace").splitlines(), 1)
        if FOREIGN.search(line)
    ]
    assert not found, "cite docs/*.md instead:\n" + "\n".join(found)


def test_every_cited_doc_exists():
    cited = {
        (m.group(0), p.relative_to(ROOT).as_posix())
        for p in _sources()
        for m in DOC_PATH.finditer(p.read_text(encoding="utf-8", errors="replace"))
    }
    missing = sorted(f"{where}: {doc}" for doc, where in cited if not (ROOT / doc).is_file())
    assert cited, "no docs/*.md citation found at all: the scan is broken"
    assert not missing, "cited documents that do not exist:\n" + "\n".join(missing)
