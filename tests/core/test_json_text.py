"""`dumps_indented` writes what `json.dumps(indent=2)` writes, for any value JSON can hold."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from flash_lsp.core.json_text import dumps_indented

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from('"\\\n\x00\u2028\ud800'), max_size=6)
)
KEYS = st.text(max_size=4) | st.integers() | st.floats() | st.booleans() | st.none()
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4) | st.tuples(inner, inner),
    max_leaves=30,
)


@settings(max_examples=500, deadline=None)
@example({"resources": {"a": {"functions": [{"name": "f", "is_async": False}], "workers": 2}}, "x": [], "y": {}})
@example({1: {True: [None, 1.5]}, None: {math.inf: -0.0}, 2.5: [[[]], [{}]]})
@given(VALUES)
def test_equals_the_standard_library(value):
    assert dumps_indented(value) == json.dumps(value, indent=2)


@pytest.mark.parametrize("value", [{"a": {1, 2}}, {"a": [object()]}, {(1, 2): 1}, {"a": {(1, 2): [1]}}])
def test_unserialisable_values_raise_like_the_standard_library(value):
    with pytest.raises(TypeError) as ours:
        dumps_indented(value)
    with pytest.raises(TypeError) as theirs:
        json.dumps(value, indent=2)
    assert str(ours.value) == str(theirs.value)


def test_without_the_c_encoder_the_text_is_the_same(monkeypatch):
    from flash_lsp.core import json_text

    value = {"a": [1, {"b": None, "c": [True, 2.5, "\u00e9"]}, []], "d": {}}
    monkeypatch.setattr(json_text, "c_make_encoder", None)
    json_text._encoder.cache_clear()
    try:
        assert dumps_indented(value) == json.dumps(value, indent=2)
    finally:
        json_text._encoder.cache_clear()
