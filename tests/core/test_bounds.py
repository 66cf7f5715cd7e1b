"""Hostile or degenerate sources end in bounded time and memory with a diagnostic, never an exception."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import pytest

from flash_lsp.core import summary as summary_mod
from flash_lsp.core.profiles import TETRA_024
from flash_lsp.core.project import Project

from .conftest import codes, write_project

HEAD = "from tetra_rp import remote, LiveServerless, CpuLiveServerless, PodTemplate\n"
FN = "@remote(cfg)\ndef f(x):\n    return x\n"
OK_WORKER = HEAD + "other = LiveServerless(name='other')\n@remote(other)\ndef g(x):\n    return x\n"


def timed(analyze, files: dict[str, str]):
    start = time.process_time()  # CPU seconds: other work on the machine does not inflate them
    model = analyze(files)
    return model, time.process_time() - start


def bound_messages(model) -> list[str]:
    return [d.message for d in model.diagnostics if d.code == "FL411"]


@pytest.mark.parametrize(
    "source, bound",
    [
        (
            "a0 = 10\n"
            + "".join(f"a{i + 1} = a{i} * a{i}\n" for i in range(25))
            + "cfg = LiveServerless(name='x', workersMax=a25)\n",
            "bits",
        ),
        ("s = 'a' * 2_000_000_000\ncfg = LiveServerless(name=s)\n", "characters"),
        ("x = " + "+".join(["1"] * 1500) + "\ncfg = LiveServerless(name='x', workersMax=x)\n", "nested"),
        ("x = a" + ".b" * 1400 + "\ncfg = LiveServerless(name='x')\n", "nested"),
        ("x = [" + ",".join(["1"] * 20_000) + "]\ncfg = LiveServerless(name='x', workersMax=len(x))\n", "elements"),
        ("cfg = LiveServerless(name='x', workersMax=0x" + "f" * 4000 + ")\n", "bits"),
        (
            "".join(f"v{i} = [" + ",".join(["1"] * 9000) + "]\n" for i in range(15))
            + "cfg = LiveServerless(name='x')\n",
            "evaluation steps",
        ),
    ],
    ids=["squaring-chain", "string-repeat", "long-sum", "attribute-chain", "huge-list", "hex-int", "steps"],
)
def test_exceeded_bound_is_unknown_with_an_info_diagnostic(analyze, source, bound):
    model, seconds = timed(analyze, {"workers/w.py": HEAD + source + FN, "workers/ok.py": OK_WORKER})
    assert seconds < 2
    messages = bound_messages(model)
    assert messages and any(bound in m for m in messages), model.diagnostics
    assert {f.name for f in model.functions} == {"f", "g"}  # the rest is still analysed


@pytest.mark.parametrize(
    "config",
    [
        "CpuLiveServerless(name='x', template=PodTemplate(containerDiskInGb='20GB'))",
        "CpuLiveServerless(name='x', template={'containerDiskInGb': '20GB'})",
        "CpuLiveServerless(name='x', template=PodTemplate(containerDiskInGb=1e308 * 10))",
        "LiveServerless(name='x', workersMax=1e308 * 10)",
        "LiveServerless(name='x', workersMax='" + "9" * 5000 + "')",
        "LiveServerless(name='x', workersMax='²')",
    ],
    ids=["disk-string", "disk-string-in-dict", "disk-inf", "workers-inf", "workers-5000-digits", "workers-superscript"],
)
def test_values_pydantic_rejects_are_validation_failures_not_crashes(analyze, config):
    model = analyze({"workers/w.py": HEAD + f"cfg = {config}\n" + FN})
    (dep,) = model.deployments.values()
    assert dep.failure_kind == "validation" and "valid integer" in dep.omitted_because
    assert "FL406" in codes(model)


def test_lone_surrogates_in_an_editor_buffer_and_in_file_names(tmp_path):
    root = write_project(tmp_path / "proj", {"workers/ok.py": OK_WORKER})
    (root / "workers" / "w\udcff.py").write_bytes(
        b"x = 1\n"
    )  # os.listdir gives names with undecodable bytes as surrogates
    project = Project(root, TETRA_024)
    project.set_override("workers/w.py", HEAD + "cfg = LiveServerless(name='\ud800')\n" + FN)
    project.set_override("workers/v.py", HEAD + "cfg = LiveServerless(name='x')  # é \ud800\n" + FN)
    model = project.analyze("2026-01-01T00:00:00.000000Z")
    assert "workers/w\udcff.py" in model.files.files
    assert [f.name for f in model.functions] == ["g"]


def test_file_over_the_size_bound_is_skipped_with_a_diagnostic(analyze):
    big = HEAD + "DATA = [" + ",".join(["1"] * 300_000) + "]\ncfg = LiveServerless(name='x')\n" + FN
    model = analyze({"workers/big.py": big, "workers/ok.py": OK_WORKER})
    (message,) = bound_messages(model)
    assert "workers/big.py" not in {f.relpath for f in model.functions} and "flash build` still parses it" in message
    assert [f.name for f in model.functions] == ["g"]


def test_ten_megabyte_list_literal_stays_small_in_memory(tmp_path):
    root = write_project(tmp_path / "proj", {"workers/ok.py": OK_WORKER})
    (root / "workers" / "data.py").write_text(HEAD + "DATA = [" + ",".join(str(i) for i in range(1_500_000)) + "]\n")
    script = textwrap.dedent(
        f"""
        import re
        from flash_lsp.core.project import Project
        model = Project({str(root)!r}).analyze()
        assert [f.name for f in model.functions] == ["g"], model.functions
        print(int(re.search(r"VmHWM:\\s+(\\d+)", open("/proc/self/status").read()).group(1)) // 1024)
        """
    )
    peak_mb = int(
        subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120).stdout
    )
    assert peak_mb < 200  # the whole process; parsing the file would take about 1.7 GB


def test_one_failing_file_is_one_diagnostic_and_the_rest_is_analysed(analyze, monkeypatch):
    real = summary_mod.summarize

    def summarize(relpath, text, classes, *version):
        if relpath == "workers/bad.py":
            raise RuntimeError("boom")
        return real(relpath, text, classes, *version)

    monkeypatch.setattr("flash_lsp.core.project.summarize", summarize)
    model = analyze({"workers/bad.py": HEAD + "cfg = LiveServerless(name='x')\n" + FN, "workers/ok.py": OK_WORKER})
    (failure,) = [d for d in model.diagnostics if d.code == "FL412"]
    assert failure.path == "workers/bad.py" and "RuntimeError: boom" in failure.message
    assert [f.name for f in model.functions] == ["g"] and model.manifest is not None


def test_failing_simulation_is_one_diagnostic_on_its_file(analyze, monkeypatch):
    def simulate(*args):
        raise OverflowError("too far")

    monkeypatch.setattr("flash_lsp.core.project.simulate", simulate)
    model = analyze({"workers/w.py": HEAD + "cfg = LiveServerless(name='x')\n" + FN, "workers/ok.py": OK_WORKER})
    failures = {d.path for d in model.diagnostics if d.code == "FL412"}
    assert failures == {"workers/w.py", "workers/ok.py"}
    assert model.manifest is not None and set(model.manifest["resources"]) == {"x", "other"}


def test_unhashable_mothership_name_fails_the_build_like_the_builder(analyze):
    model = analyze(
        {
            "mothership.py": "from tetra_rp import CpuLiveLoadBalancer\nmothership = CpuLiveLoadBalancer(name=[[1]])\n",
            "workers/ok.py": OK_WORKER,
        }
    )
    assert not model.outcome.succeeds and model.outcome.errors == ["unhashable type: 'list'"]


def test_unhashable_dict_key_is_the_import_failure_it_causes(analyze):
    model = analyze({"workers/w.py": HEAD + "x = {(1, [2]): 3}\ncfg = LiveServerless(name='x')\n" + FN})
    (dep,) = model.deployments.values()
    assert dep.omitted_because == "unhashable type: 'list'" and "FL412" not in codes(model)


def test_an_integer_too_long_to_print_in_a_decorator_is_not_an_analysis_error(analyze):
    big = "0x" + "f" * 4000  # over Python's 4,300-digit limit for int -> str
    model = analyze({"workers/w.py": HEAD + f"@remote({big}.cfg)\ndef f(x):\n    return x\n"})
    assert "FL412" not in codes(model) and "could not analyse" not in " ".join(d.message for d in model.diagnostics)
    assert model.summaries["workers/w.py"].remotes[0].config.text.startswith("0xfff")
