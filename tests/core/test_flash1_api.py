"""The runpod-flash API read statically, the free names of decorated bodies, example requests."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from flash_lsp.core.flash1_api import SNAPSHOT, api_for
from flash_lsp.core.flash1_api.free_names import free_names, module_bindings
from flash_lsp.core.flash1_api.reader import read_package
from flash_lsp.core.flash1_api.request_shapes import example_request
from flash_lsp.core.flash1_api.usage import read_usage

REF = Path(__file__).resolve().parents[2] / ".cache" / "ref-venvs"
SITE = "lib/python3.11/site-packages"


@pytest.mark.skipif(not (REF / "flash-1.21" / SITE / "runpod_flash").exists(), reason="needs the reference venvs")
def test_bundled_snapshot_is_what_the_real_1_21_package_reads_as():
    assert json.loads(SNAPSHOT.read_text()) == json.loads(
        json.dumps(read_package(REF / "flash-1.21" / SITE / "runpod_flash"))
    )


@pytest.mark.skipif(not (REF / "flash-1.7" / SITE / "runpod_flash").exists(), reason="needs the reference venvs")
def test_installed_package_wins_over_the_snapshot():
    old = api_for(str(REF / "flash-1.7" / SITE))
    assert old.version == "1.7.0" and list(old.enums["DataCenter"]) == ["EU_RO_1"]
    assert old.parameter("Endpoint", "max_concurrency") is None
    assert api_for(None).version == "1.21.0" and api_for("/nonexistent").source.startswith("bundled")


def test_reader_on_a_minimal_package(tmp_path):
    package = tmp_path / "runpod_flash"
    (package / "core" / "resources").mkdir(parents=True)
    (package / "__init__.py").write_text('__version__ = "9.9.9"\n__all__ = ["Endpoint", "Zone"]\n')
    (package / "core" / "resources" / "zone.py").write_text(
        'from enum import Enum\n\nclass Zone(str, Enum):\n    A = "a-1"\n    """first"""\n    B = "b-2"\n    _hidden = "x"\n'
    )
    (package / "endpoint.py").write_text(
        "class Endpoint:\n    def __init__(self, name=None, *, size: int = 2, flag: bool = True):\n        pass\n"
    )
    api = read_package(package)
    assert api["version"] == "9.9.9" and api["exports"] == ["Endpoint", "Zone"]
    assert api["enums"] == {"Zone": {"A": {"value": "a-1", "doc": "first"}, "B": {"value": "b-2", "doc": ""}}}
    assert [(p["name"], p["annotation"], p["default"], p["keyword_only"]) for p in api["signatures"]["Endpoint"]] == [
        ("name", "", "None", False),
        ("size", "int", "2", True),
        ("flag", "bool", "True", True),
    ]


SOURCE = """
import json
from runpod_flash import Endpoint
LIMIT = 3
if True:
    TABLE = {}

def helper(x):
    return x

@Endpoint(name="w")
async def work(data: dict, n: int = 1):
    import os
    rows: RowList = [r for r in data]
    def inner(y):
        return y + n
    try:
        pass
    except ValueError as exc:
        print(exc)
    return json.dumps(helper(rows)), LIMIT, TABLE, os.sep, inner(1), missing()
"""


def test_free_names_of_a_decorated_body():
    tree = ast.parse(SOURCE)
    usage = read_usage(tree, frozenset())
    (decorated,) = usage.decorated
    found = {f.name: f.kind for f in free_names(decorated.node, module_bindings(tree))}
    assert found == {
        "json": "import",
        "helper": "function",
        "LIMIT": "variable",
        "TABLE": "variable",
        "missing": "undefined",
    }


def test_example_requests_queue_based_and_routes():
    tree = ast.parse(
        'from runpod_flash import Endpoint\napi = Endpoint(name="api")\n'
        '@Endpoint(name="q")\nasync def q(prompt: str, k: Optional[int] = None, t: float = 0.5, tags: list[str] = ["a"]): ...\n'
        '@api.get("/items")\nasync def items(page: int = 2): ...\n'
    )
    queue, route = read_usage(tree, frozenset()).decorated
    assert (
        '{\n  "input": {\n    "prompt": "text",\n    "k": null,\n    "t": 0.5,\n    "tags": [\n      "a"\n    ]\n  }\n}'
        in example_request(queue)
    )
    assert "GET https://<endpoint-id>.api.runpod.ai/items?page=2" in example_request(route)


def test_local_modules_of_an_endpoint_file():
    from flash_lsp.core.flash1_api.local_modules import NOT_SHIPPED, SHIPPED, closure

    files = {
        "app/main.py": "from . import util\nimport importlib\nimport numpy\ndef f(n):\n    from data import secret\n    importlib.import_module(n)\n",
        "app/util.py": "from app.deep import x\n",
        "app/deep.py": "x = 1\n",
        "data/secret.py": "S = 1\n",
    }
    shipped = {"app/main.py", "app/util.py", "app/deep.py"}
    modules, dynamic = closure("app/main.py", shipped, lambda rel: ast.parse(files[rel]), files.__contains__)
    assert [(m.module, m.status) for m in modules] == [
        ("app.deep", SHIPPED),
        ("app.util", SHIPPED),
        ("data.secret", NOT_SHIPPED),
    ]
    assert dynamic == [6]
