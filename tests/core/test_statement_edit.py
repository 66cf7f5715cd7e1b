"""A keystroke inside one module-level statement re-parses that statement alone: whenever the
splice answers, its module is exactly the parse of the whole edited text."""

from __future__ import annotations

import ast

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from flash_lsp.core.ast_queries import parser_lines
from flash_lsp.core.statement_edit import splice_statement

BASE = '''"""A worker."""

from tetra_rp import LiveServerless, remote

gpu = LiveServerless(
    name="worker",  # the endpoint
    workersMax=2,
)
LIMIT = 3; EXTRA = 4


@remote(gpu, dependencies=["six"])
# a comment between the decorator and the def
def process(payload: dict) -> dict:
    text = """a string
    over lines (gpu = 1)
    """
    return {"n": len(payload), "t": text}


class Model:
    def predict(self, x):
        return x  # keep

# a comment between statements
values = [
    1,
    2,
]
'''


def _full(text: str) -> ast.Module | None:
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError):
        return None


def _check(old: str, new: str) -> bool:
    """Whether the splice answered; when it did, it must equal the full parse."""
    tree = ast.parse(old)
    spliced = splice_statement(tree, old.splitlines(), new)
    if spliced is None:
        return False
    module, lines = spliced
    full = _full(new)
    assert full is not None, "the splice accepted a text that does not parse"
    assert ast.dump(module, include_attributes=True) == ast.dump(full, include_attributes=True)
    assert lines == new.splitlines()
    return True


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("workersMax=2", "workersMax=5"),  # a config call's argument
        ('name="worker"', 'name="renamed"'),
        ('dependencies=["six"]', 'dependencies=["six", "attrs"]'),  # a decorator's arguments
        ("return x  # keep", "return x + 1  # keep"),  # inside a class
        ("    2,\n]", "    2, 3]\n"),  # the last statement, its lines rejoined
        ("over lines (gpu = 1)", "over lines (gpu = 2)"),  # inside a string that spans lines
    ],
)
def test_edits_inside_one_statement_are_spliced(old, new):
    assert BASE.count(old) == 1
    assert _check(BASE, BASE.replace(old, new))


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("workersMax=2,", "workersMax=(2,"),  # opens a bracket the next statements would close
        ("workersMax=2,", "workersMax=2,\n    workersMin=1,"),  # a line more
        ("LIMIT = 3", "LIMIT = 4"),  # a line shared with another statement
        ("# a comment between statements", "extra = 1"),  # a line outside every statement
        ('name="worker"', 'name="""worker'),  # a string left open
        ("gpu = LiveServerless(", "from __future__ import annotations\ngpu = LiveServerless("),
        ("workersMax=2,", "workersMax=2,\f"),  # a line break `splitlines` sees and Python does not
        ("    workersMax=2,\n)", "    workersMax=2,\n)\n"),  # nothing changes but the line count
        ("# a comment between the decorator", "# barry_as_FLUFL between the decorator"),  # `<>` parses then
    ],
)
def test_edits_that_need_the_whole_file_are_refused(old, new):
    assert BASE.count(old) == 1
    assert not _check(BASE, BASE.replace(old, new))


def test_a_statement_that_becomes_two_or_none_is_spliced():
    assert _check(BASE, BASE.replace("gpu = LiveServerless(\n", "gpu = 1; cpu = LiveServerless(\n"))
    assert _check(
        BASE,
        BASE.replace("    return x  # keep", "#   return x  # keep")
        .replace("class Model:", "# class Model:")
        .replace("    def predict", "#   def predict"),
    )


def test_crlf_text_is_spliced_like_lf():
    old = BASE.replace("\n", "\r\n")
    assert _check(old, old.replace("workersMax=2", "workersMax=3"))


_ALPHABET = list("()[]{}\"'#\\:;,. =x1@\t") + ["\n", '"""', "def f():", "    ", "lambda: 0", "else"]


@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::SyntaxWarning")  # escapes typed in strings
@settings(max_examples=400, deadline=None)
@given(
    position=st.integers(0, len(BASE)),
    removed=st.integers(0, 4),
    inserted=st.lists(st.sampled_from(_ALPHABET), max_size=3),
)
def test_any_edit_is_spliced_exactly_or_refused(position, removed, inserted):
    new = BASE[:position] + "".join(inserted) + BASE[position + removed :]
    _check(BASE, new)


@settings(max_examples=100, deadline=None)
@given(
    edits=st.lists(st.tuples(st.integers(0, 10**6), st.sampled_from(list("0123456789x_ "))), min_size=1, max_size=12)
)
def test_a_sequence_of_spliced_edits_stays_exact(edits):
    """Keystroke after keystroke, each splice made on the previous splice's module."""
    text = BASE
    tree, lines = ast.parse(text), text.splitlines()
    for position, char in edits:
        position %= len(text)
        text = text[:position] + char + text[position + 1 :]
        spliced = splice_statement(tree, lines, text)
        if spliced is None:
            tree = _full(text)
            if tree is None:
                return
            lines = text.splitlines()
            continue
        tree, lines = spliced
        assert ast.dump(tree, include_attributes=True) == ast.dump(ast.parse(text), include_attributes=True)


@settings(max_examples=200, deadline=None)
@given(
    names=st.lists(st.sampled_from(["a", "bb", "ccc"]), min_size=1, max_size=6),
    breaks=st.lists(
        st.sampled_from(["\n", "\r\n", "\r", "\f\n", "\n\v", "\x1c\n", "\n\u2028\n"]), min_size=6, max_size=6
    ),
)
def test_parser_lines_number_lines_as_the_parser_does(names, breaks):
    text = "".join(f"{name} = 1{br}" for name, br in zip(names, breaks, strict=False))
    tree = _full(text)
    assume(tree is not None)
    lines = parser_lines(text)
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            assert lines[node.lineno - 1].encode()[node.col_offset : node.end_col_offset].decode() == node.id
