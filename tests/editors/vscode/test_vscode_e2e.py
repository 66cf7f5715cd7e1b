"""Real VS Code (code-server 4.100.3 = VS Code 1.100.3) with the packaged Flash LSP .vsix, driven
through its UI by Playwright + Debian chromium (`drive.mjs`). One browser session runs every check
(the UI is slow to start); each test below asserts on one part of what it recorded.

The extension starts exactly as for a user: fresh user-data dir, no `flash.server.interpreter`, so
the server is installed from the wheel inside the .vsix into a private venv (first start).
`flash.interpreter` points at the reference venv with the real tetra-rp 0.24 for `Flash: Build`.
Screenshots: .cache/artifacts/vscode/. `FLASH_E2E_STEPS=workbench,diagnostics,...` runs a subset of
drive.mjs's steps (the tests of the others then fail with "step … did not run").
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from ..conftest import ARTIFACTS, CACHE, REPO, copy_fixture, free_port, reference_python, run_setup, stop_group

HERE = Path(__file__).resolve().parent
CLIENT = REPO / "client-vscode"
VSIX = CLIENT / "flash-lsp.vsix"
CODE_SERVER = CACHE / "code-server-4.100.3" / "node_modules" / ".bin" / "code-server"
SHOTS = ARTIFACTS / "vscode"
EXTENSION_ID = "flash-lsp.flash-lsp"
DRIVE_TIMEOUT = 560  # the session runs every step once (about 8 min on a loaded machine)


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    """Sets up, runs drive.mjs once and returns {"steps": ..., "data_dir": ..., "log": ...}."""
    started = time.monotonic()
    run_setup("vscode")
    try:
        ref_python = str(reference_python("tetra-0.24"))
    except Exception as exc:  # noqa: BLE001 - reported by the build test
        ref_python = None
        ref_error = str(exc)
    else:
        ref_error = None
    setup_seconds = time.monotonic() - started

    root = tmp_path_factory.mktemp("vscode-e2e")
    ws = root / "ws"
    ws.mkdir()
    hello = copy_fixture("hello", ws)
    tiny = copy_fixture("tiny", ws)
    deep = ws / "deep"
    shutil.copytree(REPO / "tests" / "fixtures" / "workspaces" / "deep", deep)
    settings = {"flash.interpreter": ref_python} if ref_python else {}
    result, data = launch_and_drive(
        root, hello, settings, {"hello": str(hello), "tiny": str(tiny), "deep": str(deep)}, SHOTS
    )
    ext_logs = sorted((data / "logs").glob("**/*Flash LSP*.log")) if (data / "logs").exists() else []
    return {
        "steps": result["steps"],
        "data_dir": data,
        "ref_python": ref_python,
        "ref_error": ref_error,
        "setup_seconds": setup_seconds,
        "drive_seconds": result["seconds"],
        "server_log": "\n".join(p.read_text(errors="replace")[-6000:] for p in ext_logs),
        "server_log_files": ext_logs,
        "drive_log": (SHOTS / "drive.log").read_text(),
    }


USER_SETTINGS = {
    "security.workspace.trust.enabled": False,
    "workbench.startupEditor": "none",
    "workbench.tips.enabled": False,
    "workbench.enableExperiments": False,
    "telemetry.telemetryLevel": "off",
    "extensions.autoCheckUpdates": False,
    "extensions.autoUpdate": False,
    "extensions.ignoreRecommendations": True,
    "update.mode": "none",
    "chat.disableAIFeatures": True,
    "editor.hover.delay": 200,
    "editor.minimap.enabled": False,
    "files.autoSave": "off",
    "window.restoreWindows": "none",
    "git.enabled": False,
}


def launch_and_drive(root: Path, folder: Path, settings: dict, drive_config: dict, shots: Path) -> tuple[dict, Path]:
    """Install the .vsix into a fresh code-server opened on `folder`, run drive.mjs with
    `drive_config` and return (its result, the user-data dir)."""
    data = root / "data"
    (data / "User").mkdir(parents=True)
    (data / "User" / "settings.json").write_text(json.dumps({**USER_SETTINGS, **settings}, indent=2))
    ext_dir = root / "extensions"
    env = {
        **os.environ,
        "XDG_CONFIG_HOME": str(root / "xdg"),
        "XDG_DATA_HOME": str(root / "xdg"),
        "XDG_CACHE_HOME": str(root / "xdg-cache"),
    }
    common = [str(CODE_SERVER), "--user-data-dir", str(data), "--extensions-dir", str(ext_dir)]
    install = subprocess.run(
        [*common, "--install-extension", str(VSIX), "--force"], capture_output=True, text=True, env=env, timeout=120
    )
    assert install.returncode == 0, install.stdout + install.stderr

    port = free_port()
    log_path = root / "code-server.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [
                *common,
                "--bind-addr",
                f"127.0.0.1:{port}",
                "--auth",
                "none",
                "--disable-telemetry",
                "--disable-update-check",
                "--disable-workspace-trust",
                "--disable-getting-started-override",
                str(folder),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
            cwd=root,
        )
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except OSError:
                if server.poll() is not None:
                    pytest.fail(f"code-server exited:\n{log_path.read_text()[-3000:]}")
                time.sleep(0.5)
        if shots.exists():
            shutil.rmtree(shots)
        shots.mkdir(parents=True)
        config = {
            "baseUrl": f"http://127.0.0.1:{port}",
            "shots": str(shots),
            "chromium": shutil.which("chromium") or "/usr/bin/chromium",
            "playwright": str(CLIENT),
            "deadlineSeconds": DRIVE_TIMEOUT - 30,
            **drive_config,
        }
        if os.environ.get("FLASH_E2E_STEPS"):  # e.g. "workbench,diagnostics,manifestPreview,outputChannel"
            config["steps"] = os.environ["FLASH_E2E_STEPS"].split(",")
        config_path = root / "drive.json"
        config_path.write_text(json.dumps(config))
        drive = subprocess.run(
            ["node", str(HERE / "drive.mjs"), str(config_path)],
            capture_output=True,
            text=True,
            timeout=DRIVE_TIMEOUT,
            cwd=HERE,
        )
    finally:
        stop_group(server)
    (shots / "drive.log").write_text(drive.stderr)
    lines = [line for line in drive.stdout.splitlines() if line.startswith("{")]
    assert drive.returncode == 0 and lines, (
        f"drive.mjs failed (rc {drive.returncode}):\n{drive.stdout[-2000:]}\n{drive.stderr[-4000:]}"
    )
    result = json.loads(lines[-1])
    (shots / "result.json").write_text(json.dumps(result, indent=2))
    return result, data


def step(session, name: str):
    """The data a drive.mjs step recorded; fails with its error (and the server log) otherwise."""
    s = session["steps"].get(name)
    fatal = next((session["steps"][f] for f in ("fatal", "fatal2", "fatal3") if f in session["steps"]), None)
    assert s is not None, f"step {name} did not run: {fatal}"
    if not s["ok"]:
        pytest.fail(
            f"{name}: {s['error']}\n--- Flash LSP log (tail) ---\n{session['server_log'][-3000:]}", pytrace=False
        )
    return s["data"]


def test_server_installed_from_the_bundled_wheel_into_a_private_venv(session):
    step(session, "diagnostics")  # the server answered
    venv = session["data_dir"] / "User" / "globalStorage" / EXTENSION_ID / "server-venv"
    marker = json.loads((venv / ".flash-lsp-venv.json").read_text())
    assert marker["wheel"].startswith("flash_lsp-") and marker["wheel"].endswith(".whl")
    assert (venv / "bin" / "python").exists()


def test_problems_panel_shows_fl101_at_the_decorator_line(session):
    rows = step(session, "diagnostics")["rows"]
    fl101 = [r for r in rows if any("FL101" in cell for cell in r)]
    assert fl101, rows
    text = " ".join(fl101[0])
    assert "'gpu_cfg' is not defined" in text
    assert "[Ln 7, Col 9]" in text, text
    assert any(r and r[0].startswith("endpoint.py") for r in rows), rows


def test_hover_on_a_remote_function_shows_its_manifest_entry(session):
    lines = step(session, "hover")["lines"]
    text = "\n".join(lines)
    assert "generate" in lines[0] and "hello_gpu" in lines[0], lines
    assert "Manifest entry" in text
    assert '"name": "generate"' in text and '"module": "workers.gpu.endpoint"' in text, text
    assert "Open handler preview" in text


def test_hover_link_opens_the_handler_preview(session):
    data = step(session, "handlerPreviewFromHover")
    assert "handler_hello_gpu.py" in data["tab"]


def test_endpoints_tree_lists_endpoints_and_functions(session):
    data = step(session, "endpointsTree")
    rows = {r["label"]: r for r in data["rows"]}
    assert {"hello", "hello_gpu", "hello_cpu", "hello_api", "gpu_cfg", "mothership"} <= set(rows), data["rows"]
    assert {"generate", "Embedder", "normalise", "health", "echo", "summarise"} <= set(rows), data["rows"]
    assert rows["hello_gpu"]["description"].startswith("LiveServerless · GPU · QB"), rows["hello_gpu"]
    assert rows["hello_api"]["description"].startswith("CpuLiveLoadBalancer · CPU · LB · live"), rows["hello_api"]
    assert rows["health"]["description"] == "GET /health"
    levels = {r["label"]: r["level"] for r in data["rows"]}
    assert levels["hello"] < levels["hello_gpu"] < levels["generate"]
    assert data["revealed"]["hasHealth"], "clicking a function opens its code"


def test_manifest_preview_opens_beside_and_follows_unsaved_edits(session):
    data = step(session, "manifestPreview")
    before, after = "\n".join(data["before"]), "\n".join(data["after"])
    assert '"project_name": "hello"' in before
    assert '"name": "summarise"' in before and "summarise_v2" not in before
    assert '"name": "summarise_v2"' in after
    assert data["refreshSeconds"] < 10
    assert data["treeFollowed"], "the Endpoints tree did not show summarise_v2 after the edit"


def test_status_bar_shows_the_predicted_size(session):
    text = step(session, "statusBar")["text"]
    assert " / " in text and "MB" in text, text


def test_flash_build_shows_progress_and_finishes(session):
    if session["ref_python"] is None:
        pytest.fail(f"reference venv (tetra-rp 0.24) unavailable: {session['ref_error']}")
    data = step(session, "build")
    assert "Flash: build of tiny finished." in data["finished"]
    assert any("build" in p.lower() for p in data["progress"]), f"no build progress was shown: {data}"
    assert data["cancellable"], "the build progress notification has no Cancel button"


def test_flash_package_opens_the_package_report_as_markdown_preview(session):
    data = step(session, "package")
    assert "Flash: package of tiny finished." in data["finished"]
    assert "package-report.md" in data["tab"], data


def test_output_channel_is_short_and_has_no_error_lines(session):
    shown = step(session, "outputChannel")["lines"]
    assert shown, "the Flash LSP output channel is empty"
    files = session["server_log_files"]
    assert files, f"no 'Flash LSP' log file under {session['data_dir'] / 'logs'}"
    for path in files:  # one per workbench session (the hello one, then the tiny one with its builds)
        log = path.read_text(errors="replace")
        errors = [line for line in log.splitlines() if "[error]" in line]
        assert errors == [], errors[:10]
        assert len(log.encode()) < 8 * 1024, f"{path}: {len(log.encode())} bytes:\n{log[:3000]}"
        assert '"jsonrpc"' not in log and "Sending data" not in log


def test_a_chained_config_assignment_gets_one_lens_and_no_merge_warning(session):
    data = step(session, "chainedConfigLens")
    endpoint_lenses = [t for t in data["lenses"] if t.startswith("endpoint hello_gpu")]
    assert len(endpoint_lenses) == 1, data["lenses"]
    assert not any("FL107" in row for row in data["problems"]), data["problems"]


def test_a_ca_bundle_is_not_reported_as_a_secret_but_a_key_is(session):
    rows = step(session, "secretFiles")["rows"]
    text = "\n".join(rows)
    assert "deploy.pem is shipped in the archive" in text, rows
    assert "cacert.pem" not in text, rows


def test_a_config_imported_elsewhere_says_where_its_function_went(session):
    lens = step(session, "unusedConfigLens")["lens"]
    assert "endpoint hello_shared" in lens and "not deployed" in lens, lens
    assert "batch in workers/batch/endpoint.py imports it, but the build does not follow imports" in lens, lens
    assert "no @remote function uses it" not in lens


def test_size_tooltip_says_how_the_size_is_known_in_plain_words(session):
    lines = step(session, "sizeTooltip")["lines"]
    text = "\n".join(lines)
    assert lines[0].endswith("— hello"), lines[0]  # the project, not the active file
    assert "Estimate:" in text, text
    assert "authoritative" not in text and "provisional" not in text and "confidence" not in text.lower(), text


def test_a_project_three_levels_down_shows_endpoints_and_problems_with_no_file_open(session):
    data = step(session, "deepProject")
    assert not any(t.strip() for t in data["tabs"]), data["tabs"]  # nothing was opened
    assert any("infer" in row for row in data["tree"]), data["tree"]
    assert any("missing_cfg" in row and "FL101" in row for row in data["problems"]), data["problems"]
    assert not any("No Flash project found" in row for row in data["tree"])


def test_the_package_report_is_the_real_archive_not_the_prediction(session):
    assert any("(predicted)" in t for t in step(session, "reportBeforePackage")["headings"])
    data = step(session, "reportAfterPackage")
    assert "Package report: tiny" in data["shown"], data  # the tab opened by Flash: Package
    assert data["again"] == ["Package report: tiny"], data  # Flash: Show Package Report afterwards
    assert data["tab"].endswith("package-report.md"), data


def test_fl601_goes_when_the_venv_is_added_to_flashignore(session):
    data = step(session, "ignoreFix")
    assert any("server.key is shipped in the archive" in row for row in data["before"]), data["before"]
    assert not any("server.key" in row for row in data["after"]), data["after"]


def test_a_refused_second_build_writes_nothing_into_the_running_builds_output(session):
    data = step(session, "refusedBuild")
    assert "already running" in data["refused"], data
    # the "Flash" channel's text, as VS Code writes it to its log (one per workbench session): one
    # header per build that ran, none for the refused one
    logs = (session["data_dir"] / "logs").glob("**/*-Flash.log")
    channels = [p.read_text(errors="replace").splitlines() for p in logs]
    (lines,) = [c for c in channels if any("── flash build: tiny" in line for line in c)]
    headers = [line for line in lines if "── flash build: tiny" in line or "── flash package: tiny" in line]
    ends = [line for line in lines if re.search(r"── (build|package) (finished|failed|cancelled)", line)]
    assert len(headers) == len(ends) >= 2, lines[-40:]


def test_first_start_shows_figures_while_the_private_environment_installs(session):
    messages = step(session, "firstStartProgress")["messages"]
    assert any("1/3 creating a private Python environment" in m for m in messages), messages
    collected = r"2/3 installing the language server: \d+ package\(s\) collected"
    assert any(re.search(collected, m) for m in messages), messages


def test_clicking_the_mothership_in_the_tree_opens_its_handler_preview(session):
    assert "handler_mothership.py" in step(session, "mothershipClick")["tab"]


def test_cancelling_a_build_leaves_no_truncated_archive(session):
    data = step(session, "cancelBuild")
    assert data["valid"] is not False, data  # no archive, or a complete one; never a truncated one
    assert not data["buildDir"], data
    assert "Removed the unfinished" in data["message"] and ".flash/.build" in data["message"], data


def test_the_tree_tooltip_and_the_status_bar_show_one_archive_figure(session):
    data = step(session, "treeSize")
    shown = re.search(r"([\d.]+ ?[KMG]?B) /", data["status"]).group(1)
    assert f"predicted archive (all endpoints): {shown}" in data["tooltip"], data
    assert "this endpoint alone:" in data["tooltip"], data


def test_a_shipped_venv_shows_sizing_progress_then_the_tooltip_names_it(session):
    data = step(session, "venvSizing")
    # while the 19 MB .venv was compressed: a growing lower bound and how far ("≥ 1.2 MB · sizing .venv/ 40 %")
    sizing = [m for t in data["texts"] if (m := re.search(r"≥ ([\d.]+) ([KM]B) · sizing \.venv/ (\d+) %", t))]
    assert sizing, data["texts"]
    percentages = [int(m.group(3)) for m in sizing]
    assert percentages == sorted(percentages), data["texts"]
    assert not any("size unknown" in t for t in data["texts"]), data["texts"]
    # afterwards: the tooltip says how much of the archive the .venv is, and what to do about it
    text = "\n".join(data["lines"])
    assert re.search(r"[\d.]+ MB of it is \.venv/ \(shipped: add it to \.flashignore\)", text), text


def test_show_handler_preview_offers_and_opens_the_manifests_handler_mothership(session):
    data = step(session, "mothershipHandlers")
    offered = " | ".join(data["offered"])
    assert re.search(r"→ handler_mothership\.py", offered) and "→ handlers/handler_mothership.py" in offered, offered
    assert "Auto-generated FastAPI handler for LoadBalancerSlsResource: mothership" in "\n".join(data["head"]), data
    assert sum("handler_mothership.py" in t for t in data["tabs"]) == 2, data["tabs"]  # beside handlers/…
