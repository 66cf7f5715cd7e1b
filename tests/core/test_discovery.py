"""Discovery, grouping and the manifest, on snippets (the fidelity suite covers real builds)."""

from flash_lsp.core.profiles import TETRA_020

CFG = "from tetra_rp import remote, LiveServerless, CpuLiveLoadBalancer\n"


def resources(model):
    return {k: [f["name"] for f in v["functions"]] for k, v in model.manifest["resources"].items()}


def test_name_literal_is_the_key_and_handler_name(analyze):
    model = analyze({"workers/w.py": CFG + "cfg = LiveServerless(name='gpu_worker')\n@remote(cfg)\ndef f(): pass\n"})
    assert resources(model) == {"gpu_worker": ["f"]}
    assert "handler_gpu_worker.py" in model.handlers.files


def test_imported_config_falls_back_to_the_variable_name(analyze):
    model = analyze(
        {
            "configs.py": CFG + "shared_gpu = LiveServerless(name='shared-gpu')\n",
            "workers/w.py": "from tetra_rp import remote\nfrom configs import shared_gpu\n@remote(shared_gpu)\ndef f(): pass\n",
        }
    )
    entry = model.manifest["resources"]["shared_gpu"]
    assert entry["resource_type"] == "LiveServerless" and entry["config_variable"] is None
    assert "FL104" in [d.code for d in model.diagnostics]


def test_same_name_in_two_files_is_merged_and_last_type_wins(analyze):
    model = analyze(
        {
            "workers/w.py": "from tetra_rp import remote, LiveServerless, CpuLiveServerless\n"
            "a = LiveServerless(name='x')\nb = CpuLiveServerless(name='x')\n"
            "@remote(a)\ndef fa(): pass\n@remote(b)\ndef fb(): pass\n",
        }
    )
    assert resources(model) == {"x": ["fa", "fb"]}
    assert model.manifest["resources"]["x"]["resource_type"] == "CpuLiveServerless"
    assert "FL107" in [d.code for d in model.diagnostics]


def test_invalid_method_drops_the_whole_file(analyze):
    model = analyze(
        {
            "workers/w.py": CFG
            + "api = CpuLiveLoadBalancer(name='api')\n"
            + "@remote(api, method='GET', path='/ok')\ndef ok(): pass\n"
            + "@remote(api, method='FETCH', path='/bad')\ndef bad(): pass\n"
        }
    )
    assert model.functions == []
    assert [d.code for d in model.diagnostics if d.code.startswith("FL4")] == ["FL401"]


def test_cpu_live_load_balancer_is_qb_in_020(analyze):
    files = {
        "workers/w.py": CFG
        + "api = CpuLiveLoadBalancer(name='api')\n@remote(api, method='GET', path='/h')\ndef h(): pass\n"
    }
    assert analyze(files).manifest["resources"]["api"]["is_load_balanced"] is True
    old = analyze(files, profile=TETRA_020)
    assert old.manifest["resources"]["api"]["is_load_balanced"] is False
    assert "routes" not in old.manifest


def test_duplicate_function_names_fail_the_build(analyze):
    model = analyze(
        {
            "workers/a.py": CFG + "a = LiveServerless(name='a')\n@remote(a)\ndef f(): pass\n",
            "workers/b.py": CFG + "b = LiveServerless(name='b')\n@remote(b)\ndef f(): pass\n",
        }
    )
    assert not model.outcome.succeeds
    assert model.outcome.errors == ["Duplicate function name 'f' found in resources 'a' and 'b'"]
    assert model.manifest is None
    assert sum(d.code == "FL301" for d in model.diagnostics) == 2


def test_missing_main_py_fails(analyze):
    model = analyze({"w.py": "x = 1\n"}, main=False)
    assert not model.outcome.succeeds and "FL307" in [d.code for d in model.diagnostics]


def test_020_writes_no_manifest_without_functions(analyze):
    assert analyze({}, profile=TETRA_020).manifest is None
    assert analyze({}).manifest["resources"] == {}


def test_manifest_text_has_no_trailing_newline(analyze):
    model = analyze({"workers/w.py": CFG + "c = LiveServerless(name='c')\n@remote(c)\ndef f(): pass\n"})
    text = model.manifest_text()
    assert text.startswith('{\n  "version": "1.0",') and not text.endswith("\n")
