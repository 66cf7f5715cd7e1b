"""Configs computed at import time: conditions decided in the build's environment (or unknown),
`**` merges, builtins, `match`, and state carried between config modules in one build process.

See `docs/tetra-build.md`, "Computed configs" and "One process".
"""

import ast

import pytest

from flash_lsp.core.environment import BASELINE
from flash_lsp.core.model import Severity
from flash_lsp.core.module_exec import simulate
from flash_lsp.core.sim_values import UNKNOWN, ResourceValue

from .conftest import codes

HEAD = "import os, sys\nfrom tetra_rp import LiveServerless, ServerlessEndpoint, GpuGroup, remote\n"
SWITCH = HEAD + (
    "ENV = os.getenv('ENV', 'dev')\n"
    "if ENV == 'production':\n"
    "    cfg = LiveServerless(name='w', workersMax=5)\n"
    "else:\n"
    "    cfg = LiveServerless(name='w', workersMax=1)\n"
)


def run(source: str, env: dict | None = None):
    return simulate(ast.parse(source), source.splitlines(), BASELINE.importable, "tetra_rp", env)


def config(source: str, env: dict | None = None, name: str = "cfg"):
    result = run(source, env)
    assert result.failure is None, result.failure
    value = result.bindings[name]
    return value.kwargs if isinstance(value, ResourceValue) else value


@pytest.mark.parametrize(("env", "workers"), [({}, 1), ({"ENV": "production"}, 5), ({"ENV": "staging"}, 1)])
def test_module_level_if_follows_the_build_environment(env, workers):
    assert config(SWITCH, env)["workersMax"] == workers


def test_undecidable_condition_makes_both_branches_bindings_unknown():
    assert config(SWITCH, None) is UNKNOWN  # environment not known: never guess a branch
    same = HEAD + "if os.getenv('X'):\n    n = 2\nelse:\n    n = 2\ncfg = LiveServerless(name='w', workersMax=n)\n"
    assert config(same, None)["workersMax"] == 2  # both branches agree


def test_an_exception_in_a_branch_that_may_not_run_is_not_predicted():
    source = HEAD + "if os.getenv('GPU'):\n    import torch\ncfg = LiveServerless(name='w')\n"
    assert run(source, None).failure is None
    assert run(source, {"GPU": "1"}).failure.kind == "import"
    assert run(source, {}).failure is None


@pytest.mark.parametrize(
    "expression, expected",
    [
        ("sys.exit(1) if False else 0", 0),
        ("3 if os.environ.get('N') else 4", 4),
        ("int(os.environ.get('N', '4'))", 4),
        ("min(8, max(2, 3))", 3),
        ("len([1, 2] + [3])", 3),
        ("os.getenv('N') or 7", 7),
        ("'N' in os.environ and 9", False),
        ("{'a': 1, **{'b': 2}}.get('b')", 2),
    ],
)
def test_expressions_evaluated_like_python(expression, expected):
    source = HEAD + f"n = {expression}\n"
    result = run(source, {})
    assert result.failure is None and result.bindings["n"] == expected


def test_nested_double_star_merges_and_dict_calls():
    source = HEAD + (
        "BASE = {'workersMin': 0, 'workersMax': 2}\n"
        "GPU = {**BASE, 'workersMax': 4, 'gpus': [GpuGroup.ADA_24] + [GpuGroup.AMPERE_48]}\n"
        "cfg = LiveServerless(**dict(GPU, name='w'), workersMin=1)\n"
    )
    kwargs = config(source, {})
    assert (kwargs["name"], kwargs["workersMin"], kwargs["workersMax"]) == ("w", 1, 4)
    assert [g.member for g in kwargs["gpus"]] == ["ADA_24", "AMPERE_48"]


def test_mutations_are_followed_or_make_the_value_unknown():
    base = HEAD + "BASE = {'name': 'w', 'workersMax': 2}\nALIAS = BASE\n"
    assert config(base + "ALIAS['workersMax'] = 3\ncfg = LiveServerless(**BASE)\n", {})["workersMax"] == 3
    assert config(base + "BASE.update(workersMax=5)\ncfg = LiveServerless(**ALIAS)\n", {}) is UNKNOWN
    assert (
        config(base + "def tweak():\n    BASE['workersMax'] = 9\ntweak()\ncfg = LiveServerless(**BASE)\n", {})
        is UNKNOWN
    )
    assert config(base + "if os.getenv('X'):\n    BASE['workersMax'] = 9\ncfg = LiveServerless(**BASE)\n") is UNKNOWN
    rebinds = (
        HEAD + "N = 2\ndef setup():\n    global N\n    N = 8\nsetup()\ncfg = LiveServerless(name='w', workersMax=N)\n"
    )
    assert config(rebinds, {})["workersMax"] is UNKNOWN
    assigned = HEAD + "cfg = LiveServerless(name='w', workersMax=2)\ncfg.workersMax = 4\n"
    assert config(assigned, {}) is UNKNOWN


@pytest.mark.parametrize(("env", "workers"), [({"ENV": "prod"}, 5), ({}, 1), (None, UNKNOWN)])
def test_match_picks_the_case_when_decidable(env, workers):
    source = HEAD + (
        "match os.getenv('ENV'):\n"
        "    case 'prod' | 'production':\n"
        "        n = 5\n"
        "    case _:\n"
        "        n = 1\n"
        "cfg = LiveServerless(name='w', workersMax=n)\n"
    )
    value = config(source, env)
    assert (value if value is UNKNOWN else value["workersMax"]) == workers


def test_missing_environment_variable_raises_key_error_unless_caught():
    source = HEAD + "n = int(os.environ['WORKERS'])\n"
    assert run(source, {}).failure.kind == "key"
    assert run(source, {"WORKERS": "x"}).failure.kind == "value"
    assert run(source, {"WORKERS": "6"}).bindings["n"] == 6
    caught = HEAD + "try:\n    n = os.environ['WORKERS']\nexcept KeyError:\n    n = '2'\n"
    assert run(caught, {}).bindings["n"] == "2"


def test_fl407_names_every_field_of_a_config_that_cannot_be_computed(analyze):
    worker = HEAD + "cfg = LiveServerless(name='w', workersMax=int(os.environ.get('MAX', '2')) + len(sys.argv))\n"
    worker += "@remote(cfg)\nasync def f(x):\n    return x\n"
    model = analyze({"workers/w.py": worker}, env_vars={})
    found = [d for d in model.diagnostics if d.code == "FL407"]
    assert len(found) == 1 and "workersMax" in found[0].message and found[0].path == "workers/w.py"
    assert "workersMax" not in model.manifest["resources"]["w"]
    literal = worker.replace("+ len(sys.argv)", "")
    model = analyze({"workers/w.py": literal}, env_vars={"MAX": "6"})
    assert "FL407" not in codes(model) and model.manifest["resources"]["w"]["workersMax"] == 6


def test_fl407_for_a_config_chosen_by_an_unknown_condition(analyze):
    worker = SWITCH + "@remote(cfg)\nasync def f(x):\n    return x\n"
    model = analyze({"workers/w.py": worker.replace("os.getenv('ENV', 'dev')", "sys.argv[0]")}, env_vars={})
    (found,) = [d for d in model.diagnostics if d.code == "FL407"]
    assert "imageName, templateId, gpuIds, workersMin, workersMax, template" in found.message
    assert "workersMax" not in model.manifest["resources"]["w"]


def test_sys_path_insert_in_one_config_module_serves_the_later_ones(analyze, tmp_path):
    """Config modules are imported in one process, in sorted resource order."""
    common = "from tetra_rp import LiveServerless\nBASE = {'workersMax': 4}\n"
    first = HEAD + (
        "sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))\n"
        "from common import BASE\n"
        "a = LiveServerless(name='a', **BASE)\n@remote(a)\nasync def fa(x):\n    return x\n"
    )
    second = HEAD + "import common\nb = LiveServerless(name='b', workersMax=common.BASE['workersMax'] + 1)\n"
    second += "@remote(b)\nasync def fb(x):\n    return x\n"
    files = {"workers/common.py": common, "workers/a.py": first, "workers/b.py": second}
    model = analyze(files, env_vars={})
    resources = model.manifest["resources"]
    assert (resources["a"]["workersMax"], resources["b"]["workersMax"]) == (4, 5)
    assert "FL406" not in codes(model)
    (tmp_path / "proj" / "workers" / "a.py").unlink()
    alone = analyze({}, env_vars={})
    assert "FL406" in codes(alone)  # nothing earlier puts workers/ on sys.path


def test_a_config_bound_in_a_match_case_is_seen_and_a_star_star_name_is_valid(analyze):
    worker = HEAD + (
        "match os.getenv('ENV'):\n"
        "    case 'prod':\n"
        "        cfg = LiveServerless(**{'name': 'w'}, workersMax=3)\n"
        "    case _:\n"
        "        cfg = LiveServerless(**{'name': 'w'}, workersMax=1)\n"
        "@remote(cfg)\nasync def f(x):\n    return x\n"
    )
    model = analyze({"workers/w.py": worker}, env_vars={"ENV": "prod"})
    assert "FL101" not in codes(model)
    fl106 = [d for d in model.diagnostics if d.code == "FL106"]
    assert len(fl106) == 2 and not any("fails validation" in d.message or d.severity == Severity.ERROR for d in fl106)
    assert model.manifest["resources"]["cfg"]["workersMax"] == 3  # keyed by the variable name


def test_a_template_with_an_unknown_part_is_left_out_whole(analyze):
    worker = HEAD + "from tetra_rp import PodTemplate\n"
    worker += "cfg = LiveServerless(name='w', template=PodTemplate(dockerArgs=os.environ.get('ARGS')))\n"
    worker += "@remote(cfg)\nasync def f(x):\n    return x\n"
    unknown = analyze({"workers/w.py": worker.replace("os.environ.get('ARGS')", "sys.argv[1]")}, env_vars={})
    assert "template" not in unknown.manifest["resources"]["w"]
    assert "template.dockerArgs" in next(d.message for d in unknown.diagnostics if d.code == "FL407")
    known = analyze({"workers/w.py": worker}, env_vars={"ARGS": "--x"})
    assert known.manifest["resources"]["w"]["template"]["dockerArgs"] == "--x"


@pytest.mark.parametrize(
    ("insert", "outcome"),
    [
        ("os.path.dirname(__file__)", "found"),  # workers/ of the build copy
        ("'/elsewhere'", "unknown"),  # outside the build copy: what it holds is not known
        ("sys.argv[0]", "unknown"),  # not computable
        (None, "fails"),  # nothing added: the import fails as the build's would
    ],
)
def test_an_import_after_a_sys_path_change(insert, outcome):
    from flash_lsp.core.build_process import BuildProcess

    helper = "LIMIT = 7\n"
    parsed = {"workers/helper.py": (ast.parse(helper), helper.splitlines())}
    process = BuildProcess("/p/.flash/.build", frozenset(parsed), parsed.get)
    source = HEAD + (f"sys.path.insert(0, {insert})\n" if insert else "") + "from helper import LIMIT\n"
    result = simulate(
        ast.parse(source), source.splitlines(), BASELINE.importable, "tetra_rp", {}, process, "workers/w.py"
    )
    if outcome == "fails":
        assert result.failure.kind == "import"
    else:
        assert result.failure is None
        assert result.bindings["LIMIT"] == (7 if outcome == "found" else UNKNOWN)


def test_fl406_advice_follows_the_exception_the_import_raises(analyze):
    """A KeyError from an unset variable is not fixed by moving imports into functions."""
    worker = HEAD + "cfg = LiveServerless(name='w', workersMax=int(os.environ['MAX']))\n"
    worker += "@remote(cfg)\nasync def f(x):\n    return x\n"
    model = analyze({"workers/w.py": worker}, env_vars={})
    (found,) = [d for d in model.diagnostics if d.code == "FL406"]
    assert "KeyError" in found.message and "os.environ.get" in found.message
    assert "inside the function body" not in found.message
    missing = HEAD + "import helpers_of_ours\n" + worker.removeprefix(HEAD)
    model = analyze({"workers/w.py": missing, "helpers_of_ours/__init__.py": "raise ImportError('x')\n"}, env_vars={})
    (found,) = [d for d in model.diagnostics if d.code == "FL406"]
    assert "inside the function body" in found.message
