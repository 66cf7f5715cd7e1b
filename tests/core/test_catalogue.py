"""The catalogue is complete and `docs/diagnostics.md` is the catalogue: every code any module can
emit has an entry, every entry is emitted by something, and the committed document is the generated one."""

from __future__ import annotations

import re
from pathlib import Path

from flash_lsp.bundle.diagnostics import _HANDLERS
from flash_lsp.bundle.hints import PROBLEM_HINTS, RESOLUTION_FAILED
from flash_lsp.core.rules.catalogue import BUILD, CATALOGUE, SIZE, rule_for_kind
from flash_lsp.core.rules.docs import render

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "server" / "flash_lsp"
CATALOGUE_FILES = {"catalogue.py", "catalogue.json"}
CODE = re.compile(r"\bFL\d{3}\b")


def _sources() -> dict[Path, str]:
    files = [p for p in PACKAGE.rglob("*.py") if p.name not in CATALOGUE_FILES or p.parent.name != "rules"]
    files += list((REPO / "client-vscode" / "src").rglob("*.ts"))
    return {p: p.read_text(encoding="utf-8") for p in files}


def _build_kinds() -> set[str]:
    # built directly or through `_about` (a finding about a function or resource)
    return set(re.findall(r'(?:BuildFinding|_about)\(\s*"([a-z_]+)"', (PACKAGE / "runner" / "errors.py").read_text()))


def _hint_kinds() -> set[str]:
    literal = set()
    for path in (PACKAGE / "bundle").glob("*.py"):
        literal |= set(re.findall(r'Hint\(\s*"([a-z-]+)"', path.read_text()))
    return literal | set(PROBLEM_HINTS.values()) | {RESOLUTION_FAILED}


def test_committed_docs_are_generated_from_the_catalogue():
    committed = (REPO / "docs" / "diagnostics.md").read_text(encoding="utf-8")
    assert committed == render(), "run: python -m flash_lsp.core.rules.docs > docs/diagnostics.md"


def test_every_code_in_the_source_is_in_the_catalogue():
    unknown = {
        (p.relative_to(REPO).as_posix(), c)
        for p, text in _sources().items()
        for c in CODE.findall(text)
        if c not in CATALOGUE
    }
    assert not unknown


def test_every_build_finding_and_size_hint_has_a_code():
    build = _build_kinds()
    assert {"duplicate_route", "archive_too_large", "build_error"} <= build  # the scan finds them
    assert not {k for k in build if rule_for_kind(BUILD, k) is None}
    hints = _hint_kinds()
    assert {"over-limit", "no-wheel", "gpu-torch-exclusion"} <= hints
    # exclude-unmatched: the analysis reports it (FL506); the size source does not repeat it
    assert {k for k in hints if rule_for_kind(SIZE, k) is None} == {"exclude-unmatched"}
    assert {k for k in hints if rule_for_kind(SIZE, k) is not None} == set(_HANDLERS)


def test_every_entry_is_emitted_and_documented():
    text = "\n".join(_sources().values())
    produced = _build_kinds() | _hint_kinds()
    for rule in CATALOGUE.values():
        assert rule.build and rule.example and rule.fix, rule.code
        if rule.kinds:
            assert set(rule.kinds) <= produced, rule.code
        else:
            assert re.search(rf'"{rule.code}"', text), f"{rule.code} is emitted nowhere"
