"""`json.dumps(value, indent=2)`, character for character, in about half its time.

With an indent, the standard library encodes in Python, one call per value; a manifest of 10,000
modules spends ~35 ms there. Here every run of values holding no array or object (a whole leaf
object, or the scalars of any array or object) is encoded by one call of the C encoder, whose
item separator carries the newline and the indent; only the levels above are walked in Python
(docs/benchmarks.md, "Whole processes").
"""

from __future__ import annotations

import json
from functools import lru_cache
from json.encoder import JSONEncoder, c_make_encoder, encode_basestring_ascii

_CONTAINERS = (dict, list, tuple)


def dumps_indented(value) -> str:
    """The text of `json.dumps(value, indent=2)` (same errors for values JSON cannot hold)."""
    out: list[str] = []
    _write(value, "\n", out)
    return "".join(out)


def _write(value, newline: str, out: list[str]) -> None:
    """Append `value`'s text; `newline` is a line break plus the indent of the line it starts on."""
    if not isinstance(value, _CONTAINERS) or not value:  # a scalar, `{}` or `[]`
        out.append(json.dumps(value))
        return
    inner = newline + "  "
    is_dict = isinstance(value, dict)
    out += ("{" if is_dict else "[", inner)
    run: list = []  # consecutive items whose values hold no array or object: one C encoder call
    separator = ""
    for item in value.items() if is_dict else value:
        child = item[1] if is_dict else item
        if not isinstance(child, _CONTAINERS) or not child:
            run.append(item)
            continue
        if run:
            out += (separator, _items(run, is_dict, inner))
            separator, run = "," + inner, []
        out.append(separator)
        separator = "," + inner
        if is_dict:
            out += (_key(item[0]), ": ")
        _write(child, inner, out)
    if run:
        out += (separator, _items(run, is_dict, inner))
    out += (newline, "}" if is_dict else "]")


def _items(run: list, is_dict: bool, inner: str) -> str:
    """The items of `run` (key-value pairs or array items), one per line at this indent."""
    return "".join(_encoder(inner)(dict(run) if is_dict else run, 0))[1:-1]


@lru_cache(maxsize=32)
def _encoder(inner: str):
    """`json.dumps`'s encoder, made once per depth, with items on their own lines at this indent:
    the C encoder that `json.dumps` makes on every call (there is none on some interpreters)."""
    if c_make_encoder is None:
        encoder = JSONEncoder(separators=("," + inner, ": "))
        return lambda value, _level: encoder.encode(value)
    return c_make_encoder(
        None, JSONEncoder().default, encode_basestring_ascii, None, ": ", "," + inner, False, False, True
    )


def _key(key) -> str:
    """An object key as JSON writes it: strings as they are, numbers, booleans and None as text."""
    if isinstance(key, str):
        return encode_basestring_ascii(key)
    return json.dumps({key: 0}, separators=(",", ":"))[1:-3]  # the encoder's own conversion (or its error)
