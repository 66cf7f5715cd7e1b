"""The headless CLI: exit codes, formats and bad input."""

import json
import subprocess
import sys

from .conftest import write_project

HEAD = "from tetra_rp import remote, LiveServerless\n"


def cli(*args):
    proc = subprocess.run([sys.executable, "-m", "flash_lsp", *args], capture_output=True, text=True, timeout=60)
    return proc.returncode, proc.stdout, proc.stderr


def test_check_reports_undefined_config_with_location_and_exits_1(tmp_path):
    root = write_project(tmp_path / "p", {"workers/w.py": HEAD + "@remote(gpu_cfg)\ndef f(): pass\n"})
    code, out, _ = cli("check", str(root))
    assert code == 1
    assert "workers/w.py:2:9: FL101 error 'gpu_cfg' is not defined" in out


def test_check_json_lists_endpoints_and_build_outcome(tmp_path):
    root = write_project(
        tmp_path / "p", {"workers/w.py": HEAD + "c = LiveServerless(name='gpu')\n@remote(c)\ndef f(): pass\n"}
    )
    code, out, _ = cli("check", str(root), "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["build"]["succeeds"] is True
    assert [e["name"] for e in data["endpoints"]] == ["gpu"]


def test_manifest_is_printed_without_trailing_newline(tmp_path):
    root = write_project(
        tmp_path / "p", {"workers/w.py": HEAD + "c = LiveServerless(name='gpu')\n@remote(c)\ndef f(): pass\n"}
    )
    code, out, _ = cli("manifest", str(root))
    assert code == 0 and json.loads(out)["project_name"] == "p" and not out.endswith("\n")


def test_handlers_are_written_under_their_real_names(tmp_path):
    root = write_project(
        tmp_path / "p", {"workers/w.py": HEAD + "c = LiveServerless(name='my-gpu.v2')\n@remote(c)\ndef f(): pass\n"}
    )
    out_dir = tmp_path / "out"
    code, out, _ = cli("handlers", str(root), "--out", str(out_dir))
    assert code == 0 and (out_dir / "handler_my-gpu.v2.py").is_file()


def test_bad_paths_get_one_line_and_exit_2(tmp_path):
    (tmp_path / "file.py").write_text("x = 1")
    for target in (tmp_path / "nope", tmp_path / "file.py"):
        code, out, err = cli("check", str(target))
        assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and err.startswith("flash-lsp: error:")


def test_unknown_profile_is_a_usage_error(tmp_path):
    code, _, err = cli("files", str(tmp_path), "--profile", "nope")
    assert code == 2 and "invalid choice" in err


def test_terminal_escape_sequences_in_names_are_escaped_in_text_output(tmp_path):
    evil_file = "workers/\x1b]0;owned\x07w.py"
    root = write_project(
        tmp_path / "p",
        {
            evil_file: HEAD
            + "c = LiveServerless(name='gpu\\x1b[2J\\u202e')\n@remote(c)\ndef f(): pass\n@remote(missing)\ndef g(): pass\n"
        },
    )
    for command in ("check", "files"):
        code, out, _ = cli(command, str(root))
        assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out, out
        assert "workers/\\x1b]0;owned\\x07w.py" in out
    _code, out, _ = cli("check", str(root))
    assert "gpu\\x1b[2J\\u202e" in out


def test_exclude_reaches_the_runpod_2_manifest_and_check(tmp_path):
    """`rp flash deploy --build-only --exclude six,Nonexistent-Pkg` (2.0.0rc2) writes
    `"excludedPackages": ["six"]`: the excluded names the requirements have."""
    worker = (
        'import runpod\n\napp = runpod.App("exclapp")\n\n\n'
        '@app.queue(name="cpu-worker", cpu="cpu3c-2-4", dependencies=["six"])\ndef crunch(n):\n    return n\n'
    )
    root = write_project(tmp_path / "p", {"worker.py": worker})
    code, out, _ = cli("manifest", str(root), "--profile", "runpod-2.0", "--exclude", "six,Nonexistent-Pkg")
    assert code == 0 and json.loads(out)["excludedPackages"] == ["six"], out
    code, out, _ = cli("manifest", str(root), "--profile", "runpod-2.0")
    assert code == 0 and "excludedPackages" not in json.loads(out)
    code, out, err = cli("check", str(root), "--profile", "runpod-2.0", "--exclude", "six", "--format", "json")
    assert code == 0 and [e["name"] for e in json.loads(out)["endpoints"]] == ["cpu-worker"], err
