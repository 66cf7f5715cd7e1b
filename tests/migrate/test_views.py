"""The proof's comparison can fail: unexplained differences and notes that explain nothing are reported."""

from __future__ import annotations

from tests.migrate.views import compare

OLD = {"web": {"kind": "api", "workers": (0, 1), "routes": frozenset({("GET", "/x")})}, "vllm": {"kind": "client"}}
NEW = {"web": {"kind": "api", "workers": (0, 3), "routes": frozenset({("GET", "/x")})}}


def test_an_unexplained_difference_fails():
    problems = compare(OLD, NEW, [{"resource": "vllm", "setting": "resource"}])
    assert problems == ["'web' workers: before (0, 1), after (0, 3); no note says so"]


def test_a_gone_resource_needs_a_note():
    problems = compare(OLD, NEW, [{"resource": "web", "setting": "workers"}])
    assert problems == ["resource 'vllm' (client) is gone and no note says so"]


def test_explained_differences_pass_and_empty_notes_fail():
    notes = [{"resource": "web", "setting": "workers"}, {"resource": "vllm", "setting": "resource"}]
    assert compare(OLD, NEW, notes) == []
    same = {"web": dict(OLD["web"])}
    assert compare(same, same, [{"resource": "web", "setting": "workers"}]) == [
        "a note says 'web' workers changes, but it does not"
    ]


def test_split_resources_are_explained_by_their_note():
    old = {"tools": {"kind": "queue"}}
    new = {"tools": {"kind": "queue"}, "tools-lower": {"kind": "queue"}}
    assert compare(old, new, []) == ["resource 'tools-lower' is new and no note says so"]
    assert compare(old, new, [{"resource": "tools", "setting": "split", "new_resource": "tools-lower"}]) == []
