"""Each diagnostic rule fires where it should, with the location a user can act on."""

import pytest

from .conftest import codes

HEAD = "from tetra_rp import remote, LiveServerless, CpuLiveServerless, LiveLoadBalancer, CpuLoadBalancerSlsResource\n"
OK = HEAD + "cfg = LiveServerless(name='gpu')\n"

CASES = {
    "FL101": {"workers/w.py": HEAD + "@remote(missing_cfg)\ndef f(): pass\n"},
    "FL102": {"workers/w.py": HEAD + "@remote(cfg)\ndef f(): pass\ncfg = LiveServerless(name='late')\n"},
    "FL103": {"workers/w.py": HEAD + "cfg: LiveServerless = LiveServerless(name='x')\n@remote(cfg)\ndef f(): pass\n"},
    "FL104": {
        "configs.py": HEAD + "shared = LiveServerless(name='shared-gpu')\n",
        "workers/w.py": HEAD + "from configs import shared\n@remote(shared)\ndef f(): pass\n",
    },
    "FL105": {"workers/w.py": HEAD + "@remote(CpuLiveServerless(name='inline'))\ndef f(): pass\n"},
    "FL106": {"workers/w.py": HEAD + "n = 'x'\ncfg = LiveServerless(name=f'{n}')\n@remote(cfg)\ndef f(): pass\n"},
    "FL201": {"workers/w.py": HEAD + "@remote\ndef f(): pass\n"},
    "FL202": {
        "workers/w.py": "from tetra_rp import remote as rr, LiveServerless\ncfg = LiveServerless(name='a')\n@rr(cfg)\ndef f(): pass\n"
    },
    "FL203": {"workers/w.py": HEAD + "import configs\n@remote(configs.gpu)\ndef f(): pass\n"},
    "FL204": {"workers/w.py": OK + "class K:\n    @remote(cfg)\n    def m(self): pass\n"},
    "FL302": {
        "workers/w.py": HEAD
        + "lb = LiveLoadBalancer(name='lb')\n@remote(lb, method='GET', path='/a')\ndef a(): pass\n"
        + "@remote(lb, method='GET', path='/a')\ndef b(): pass\n"
    },
    "FL303": {
        "workers/w.py": HEAD
        + "lb = LiveLoadBalancer(name='lb')\n@remote(lb, method='GET', path='/ping')\ndef a(): pass\n"
    },
    "FL304": {"workers/w.py": HEAD + "lb = LiveLoadBalancer(name='lb')\n@remote(lb)\ndef a(): pass\n"},
    "FL305": {
        "workers/w.py": HEAD
        + "lb = LiveLoadBalancer(name='lb')\n@remote(lb, method='GET', path='/a\"b')\ndef a(): pass\n"
    },
    "FL306": {"workers/w.py": HEAD + "cfg = LiveServerless(name='team/gpu')\n@remote(cfg)\ndef f(): pass\n"},
    "FL401": {
        "workers/w.py": HEAD
        + "lb = LiveLoadBalancer(name='lb')\n@remote(lb, method='FETCH', path='/a')\ndef a(): pass\n"
    },
    "FL402": {
        "workers/w.py": HEAD
        + "lb = LiveLoadBalancer(name='lb')\n@remote(lb, method='post', path='/a')\ndef a(): pass\n"
    },
    "FL403": {
        "workers/w.py": HEAD
        + "c = CpuLoadBalancerSlsResource(name='c', imageName='i')\n@remote(c, method='GET', path='/a')\ndef a(): pass\n"
    },
    "FL404": {"workers/w.py": "from tetra_rp import remote\ndef broken(:\n"},
    "FL406": {
        "workers/w.py": OK + "from workers.other import helper\n@remote(cfg)\ndef f(): pass\n",
        "workers/other.py": "def helper(): pass\n",
    },
    "FL410": {"workers/w.py": OK + "@remote(cfg)\ndef f(): pass\nimport sys\nsys.exit('no')\n"},
    "FL501": {"workers/w.py": OK + "@remote(cfg, dependencies=['torch'])\nasync def f(): pass\n"},
    "FL502": {"w.py": OK + "@remote(cfg, dependencies=['torch'])\ndef f(): pass\n"},
    "FL503": {"workers/w.py": OK + "DEPS = ['torch']\n@remote(cfg, dependencies=DEPS)\ndef f(): pass\n"},
    "FL504": {"requirements.txt": "six  # compat\n"},
    "FL505": {"pyproject.toml": "[project]\nname = 'x'\ndependencies = ['torch']\n"},
    "FL601": {".env": "RUNPOD_API_KEY=secret\n"},
    "FL602": {".venv/lib/site.py": ""},
    "FL603": {".flash/flash_manifest.json": "{}"},
    "FL604": {},
}


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_fires(analyze, code):
    assert code in codes(analyze(CASES[code]))


def test_clean_project_has_no_diagnostics(analyze):
    model = analyze(
        {"workers/w.py": OK + "@remote(cfg, dependencies=['six'])\ndef f(): pass\n", ".flashignore": ".venv/\n"}
    )
    assert codes(model) == []


def test_undefined_config_points_at_the_decorator_argument(analyze):
    model = analyze(CASES["FL101"])
    (diag,) = [d for d in model.diagnostics if d.code == "FL101"]
    assert (diag.path, diag.span.line, diag.span.col) == ("workers/w.py", 1, 8)


def test_duplicate_names_relate_to_each_other(analyze):
    model = analyze(
        {
            "workers/a.py": HEAD + "a = LiveServerless(name='a')\n@remote(a)\ndef f(): pass\n",
            "workers/b.py": HEAD + "b = LiveServerless(name='b')\n@remote(b)\ndef f(): pass\n",
        }
    )
    dups = [d for d in model.diagnostics if d.code == "FL301"]
    assert {d.path for d in dups} == {"workers/a.py", "workers/b.py"}
    assert all(len(d.related) == 1 and d.related[0].path != d.path for d in dups)
