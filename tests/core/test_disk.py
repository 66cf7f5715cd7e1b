"""The cheap file reader gives what `open(path, encoding="utf-8").read()` gives."""

from __future__ import annotations

import os

import pytest

from flash_lsp.core.disk import read_bytes, utf8_text

CASES = {
    "lf.py": b"a = 1\nb = 2\n",
    "crlf.py": b"a = 1\r\nb = 2\r\n",
    "cr.py": b"a = 1\rb = 2\r",
    "mixed.py": b"a\r\n\r\nb\rc\n",
    "bom.py": b"\xef\xbb\xbfx = 1\n",
    "empty.py": b"",
    "latin1.py": b"name = '\xe9'\n",
    "surrogate.py": b"s = '\xed\xa0\x80'\n",
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_the_text_stream(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(CASES[name])
    try:
        expected = path.open(encoding="utf-8").read()
    except UnicodeDecodeError:
        expected = None
    key, data = read_bytes(str(path))
    assert data == CASES[name]
    assert key == (path.stat().st_mtime_ns, len(CASES[name]))
    assert utf8_text(data) == expected


def test_an_unchanged_key_skips_the_read(tmp_path):
    path = tmp_path / "m.py"
    path.write_text("x = 1\n")
    key, _ = read_bytes(str(path))
    assert read_bytes(str(path), unchanged=key) == (key, None)
    os.utime(path, ns=(key[0] + 10**9, key[0] + 10**9))
    assert read_bytes(str(path), unchanged=key)[1] == b"x = 1\n"


def test_a_directory_or_missing_file(tmp_path):
    assert read_bytes(str(tmp_path))[1] is None
    with pytest.raises(FileNotFoundError):
        read_bytes(str(tmp_path / "missing.py"))


@pytest.mark.skipif(not os.path.exists("/proc/version"), reason="needs a file whose size the system does not know")
def test_a_file_longer_than_its_reported_size_is_read_whole():
    assert os.stat("/proc/version").st_size == 0
    with open("/proc/version", "rb") as f:
        expected = f.read()
    assert read_bytes("/proc/version")[1] == expected != b""
