"""Size feedback through the real server while a shipped `.venv` is compressed: `sizing` in
`flash/bundleSizeChanged` and `flash/bundleSize` (part, percentage, a partial figure that only
grows), a `$/progress` that ends, and afterwards the directories that make up the archive
(`contributors`, `sizeContributors`) with advice for the environment."""

from __future__ import annotations

import random

import jsonschema
from lsprotocol import types

from .bundle.conftest import _plain, servers, size_cache, size_index  # noqa: F401 - fixtures
from .conftest import open_doc, uri
from .test_bundle_size import protocol_schema, size

VENV_FILES = 480
# 23 MB of source-like text: about 2.3 CPU seconds of level-9 compression on an idle machine, so even
# there the sizing reports (every PROGRESS_EVERY_S = 0.5 s) come several times
VENV_FILE_BYTES = 48_000


def ship_a_venv(root, name: str = ".venv") -> None:
    """A virtual environment inside the project that no ignore file names (tetra-rp ships it)."""
    site = root / name / "lib" / "python3.11" / "site-packages" / "fakepkg"
    site.mkdir(parents=True)
    (root / name / "pyvenv.cfg").write_text("home = /usr/bin\nversion = 3.11.2\n")
    rng = random.Random(7)
    words = [f"name_{rng.randrange(50_000)}" for _ in range(4000)]
    for i in range(VENV_FILES):
        lines, n = [], 0
        while n < VENV_FILE_BYTES:
            line = f"def f{i}_{len(lines)}({rng.choice(words)}, {rng.choice(words)}):  # {rng.random()}\n"
            lines.append(line)
            n += len(line)
        (site / f"mod_{i:03}.py").write_text("".join(lines))


async def test_sizing_a_shipped_venv_reports_progress_then_names_it(servers, workspace):
    ship_a_venv(workspace)
    client = await servers()
    open_doc(client, "main.py")
    ready = await size(client, wait=True)
    assert ready["state"] == "ready" and ready["sizing"] is None

    # while it was compressed: notifications with the part read, a rising percentage and a partial
    # figure that only grows and stays below the final archive
    sizing = [e["sizing"] for e in client.size_events if e["sizing"]]
    assert len(sizing) >= 2, client.size_events
    assert {s["part"] for s in sizing} == {".venv/"}
    percentages = [s["percentage"] for s in sizing]
    partial = [s["partialBytes"] for s in sizing]
    assert percentages == sorted(percentages) and 0 < percentages[0] < 100, percentages
    assert partial == sorted(partial) and 0 < partial[0] and partial[-1] <= ready["archive_bytes"], partial
    assert all(e["state"] == "updating" for e in client.size_events if e["sizing"])
    assert client.size_events[-1]["sizing"] is None and client.size_events[-1]["state"] == "ready"
    for event in client.size_events:
        jsonschema.validate(event, protocol_schema("notifications.schema.json", "flash/bundleSizeChanged"))

    # the same as work-done progress, which ends
    tokens = [
        t
        for t, values in client.progress_reports.items()
        if values
        and isinstance(values[0], types.WorkDoneProgressBegin)
        and values[0].title == "Flash: sizing the archive"
    ]
    assert len(tokens) == 1, client.progress_reports
    values = client.progress_reports[tokens[0]]
    reports = [v for v in values if isinstance(v, types.WorkDoneProgressReport)]
    assert reports and all(r.message.startswith(".venv/ ") and r.message.endswith(" %") for r in reports)
    assert isinstance(values[-1], types.WorkDoneProgressEnd)

    # afterwards: the environment is named as the biggest share, with what to do about it
    top = ready["contributors"][0]
    assert top["path"] == ".venv/" and top["advice"] == "shipped: add it to .flashignore"
    # (pygls turns result objects into namedtuples: keys like ".venv/" lose their names, values stay)
    assert top["bytes"] == max(ready["project_parts"].values()) and top["bytes"] > 0.1 * ready["archive_bytes"]
    assert all(c["bytes"] > 0.1 * ready["archive_bytes"] for c in ready["contributors"])
    assert sum(ready["project_parts"].values()) == ready["project_bytes"]
    jsonschema.validate(ready, protocol_schema("flash-bundle-size.schema.json", "result"))
    tree = _plain(await client.protocol.send_request_async("flash/endpoints", {}))
    assert tree["projects"][0]["sizeContributors"] == ready["contributors"]
    jsonschema.validate(tree, protocol_schema("flash-endpoints.schema.json", "result"))


async def test_a_small_project_names_no_directory_and_reports_no_sizing(servers):
    client = await servers()
    open_doc(client, "main.py")
    ready = await size(client, wait=True)
    # workers/ is 5 % of the basic workspace's archive (six and the generated files are the rest)
    assert ready["contributors"] == [] and ready["project_parts"]
    assert not any(e["sizing"] for e in client.size_events)
    assert not any(
        isinstance(v[0], types.WorkDoneProgressBegin) and v[0].title == "Flash: sizing the archive"
        for v in client.progress_reports.values()
        if v
    )
    tree = _plain(await client.protocol.send_request_async("flash/endpoints", {}))
    assert tree["projects"][0]["sizeContributors"] == [] and ready["project"] == uri(client, "")
