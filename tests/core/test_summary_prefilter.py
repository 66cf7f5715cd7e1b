"""A file is parsed when it names any class or name the build looks for: the quick text check
before parsing looks for fewer, shorter names, and must still let each one through."""

from __future__ import annotations

import pytest

from flash_lsp.core.profiles import PROFILES
from flash_lsp.core.summary import summarize


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_every_resource_class_alone_gets_the_file_parsed(profile):
    classes = PROFILES[profile].resource_classes
    for cls in classes:
        summary = summarize("cfg.py", f"cfg = {cls}(name='x')\n", classes)
        assert [(c.variable, c.type_name) for c in summary.configs] == [("cfg", cls)], cls


def test_a_file_naming_none_of_them_is_not_parsed():
    classes = PROFILES["tetra-0.24"].resource_classes
    summary = summarize("m.py", "def f(:\n    Serverless = 1\n", classes)  # not even a syntax error
    assert summary.syntax_error is None and summary.tree is None
