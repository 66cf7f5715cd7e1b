"""`flash.diagnostics.rules` reaches every source: a size code (FL8xx) and a code of the real
build's findings (FL7xx) are overridden at startup and again at runtime, without a new build."""

from __future__ import annotations

import pytest
from lsprotocol import types

from .bundle.conftest import servers, size_cache, size_index  # noqa: F401 - fixtures
from .conftest import codes, diagnostics, uri
from .test_build_commands import FAKE_SETTINGS, Builds, fake_flash, fake_venvs  # noqa: F401 - fixtures

REQUIREMENTS = "six\nmy-pkg==1.0\n"  # with --exclude my_pkg: FL808 (the build's name matching misses it)
RULES = {"FL808": "error", "FL506": "off", "FL714": "information"}
SETTINGS = {**FAKE_SETTINGS, "build": {"exclude": ["my_pkg"]}, "diagnostics": {"debounceMs": 0, "rules": RULES}}


def of(ds, code: str) -> list[types.Diagnostic]:
    return [d for d in ds if str(d.code) == code]


@pytest.mark.settings(SETTINGS)
async def test_overrides_apply_to_size_and_build_findings(servers, workspace, fake_flash):  # noqa: F811 - fixtures
    (workspace / "requirements.txt").write_text(REQUIREMENTS)
    client = await servers("vscode", trusted=True)  # builds run only in a trusted workspace
    r = uri(client, "requirements.txt")

    ds = await diagnostics(client, r, lambda ds: "FL808" in codes(ds))
    (mismatch,) = of(ds, "FL808")
    assert mismatch.source == "flash-lsp size"
    assert mismatch.severity == types.DiagnosticSeverity.Error  # default: warning
    assert not of(ds, "FL506")  # the analysis' code for the same exclusion: off

    fake_flash.mode("too_large")
    finished = await Builds(client).run()
    assert finished["exitCode"] == 0
    ds = await diagnostics(client, r, lambda ds: "FL714" in codes(ds))
    (large,) = of(ds, "FL714")
    assert large.source == "flash build" and large.severity == types.DiagnosticSeverity.Information

    # new rules at runtime: the last build's finding is re-converted, not rebuilt
    changed = {**SETTINGS, "diagnostics": {"debounceMs": 0, "rules": {"FL714": "off", "FL808": "hint"}}}
    client.set_configuration({"flash": changed})
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={"flash": changed}))
    ds = await diagnostics(client, r, lambda ds: "FL714" not in codes(ds) and "FL506" in codes(ds))
    assert [d.severity for d in of(ds, "FL808")] == [types.DiagnosticSeverity.Hint]
    assert [d.severity for d in of(ds, "FL715")] == [types.DiagnosticSeverity.Warning]  # the build's other finding
