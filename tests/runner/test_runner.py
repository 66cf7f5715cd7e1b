"""BuildRunner against the fake `flash`: events, single-flight, cancel, timeout, floods."""

from __future__ import annotations

import asyncio
import time

import pytest

from flash_lsp.runner.build_process import BuildOptions, BuildRunner
from flash_lsp.runner.events import AlreadyRunning, Finished, Output, Progress, Started
from flash_lsp.runner.interpreter import resolve_flash

from .conftest import WAIT, Recorder, copy_project, pid_alive, read_pids


def opts(mode: str = "success", **kwargs) -> BuildOptions:
    env = {"FAKE_FLASH_MODE": mode, **kwargs.pop("env", {})}
    return BuildOptions(env=env, **kwargs)


async def test_success_events_in_order(runner, project, fake, recorder):
    finished = await runner.run(project, fake, opts(keep_build=True, output="app.tar.gz"), recorder)
    assert isinstance(finished, Finished) and finished.succeeded, finished.tail
    events = recorder.events
    started = events[0]
    assert isinstance(started, Started)
    assert started.argv == (*fake.argv, "build", "--keep-build", "-o", "app.tar.gz")
    assert started.cwd == str(project) and started.interpreter == fake.interpreter
    assert started.pid and (started.package, started.version) == ("tetra-rp", "0.24.0")
    assert events[-1] is finished and sum(isinstance(e, Finished) for e in events) == 1
    progress = recorder.of(Progress)
    pcts = [p.percentage for p in progress]
    assert pcts == sorted(set(pcts)) and pcts[0] == 2 and pcts[-1] == 100
    assert "Created app.tar.gz (0.0 MB)" in [p.message for p in progress]
    lines = [e.line for e in recorder.of(Output)]
    assert "✓ Loaded ignore patterns" in lines and not any("\x1b" in line or "\r" in line for line in lines)
    assert (project / ".flash" / "app.tar.gz").is_file() and (project / ".flash" / ".build").is_dir()
    assert finished.findings == () and finished.duration > 0


async def test_interactive_output_is_cleaned(runner, project, fake, recorder):
    finished = await runner.run(project, fake, opts("tty"), recorder)
    assert finished.succeeded
    lines = [e.line for e in recorder.of(Output)]
    assert "✓ Copied 4 files" in lines
    assert not any("\x1b" in line or "⠋" in line for line in lines)
    assert recorder.of(Progress)[-1].percentage == 100


@pytest.mark.parametrize(
    "mode, kind",
    [
        ("duplicate_function", "duplicate_function"),
        ("duplicate_route", "duplicate_route"),
        ("reserved_path", "reserved_path"),
        ("lb_without_route", "lb_without_route"),
        ("handler_syntax", "handler_syntax_error"),
        ("main_missing", "main_py_missing"),
        ("pip_failure", "requirement_failed"),
    ],
)
async def test_failures_carry_findings(runner, project, fake, mode, kind):
    finished = await runner.run(project, fake, opts(mode))
    assert finished.exit_code == 1 and not finished.succeeded
    assert [f.kind for f in finished.findings] == [kind]
    assert finished.tail[-1] == "" and "typer.exceptions.Exit: 1" in finished.tail


@pytest.mark.parametrize(
    "mode, kind",
    [
        ("syntax_warning", "syntax_error"),
        ("handler_failed", "handler_generation_failed"),
        ("too_large", "archive_too_large"),
    ],
)
async def test_warnings_on_success(runner, project, fake, mode, kind):
    finished = await runner.run(project, fake, opts(mode, keep_build=True))
    assert finished.succeeded
    assert [f.kind for f in finished.findings] == [kind]


async def test_single_flight_rejects_a_second_build(runner, tmp_path, fake, recorder):
    one = copy_project("tiny_gpu", tmp_path / "a")
    two = copy_project("tiny_gpu", tmp_path / "b")
    first = await runner.start(one, fake, opts("hang", env={"FAKE_FLASH_PIDFILE": str(tmp_path / "pids")}), recorder)
    second = await runner.start(str(one) + "/.", fake, opts())  # same project, spelled differently
    assert isinstance(second, AlreadyRunning)
    assert second.running_build_id == first.build_id and "build already running" in second.message
    other = await runner.start(two, fake, opts())
    assert not isinstance(other, AlreadyRunning)
    assert (await other.wait()).succeeded
    await first.cancel()
    again = await runner.start(one, fake, opts())
    assert not isinstance(again, AlreadyRunning) and (await again.wait()).succeeded


async def _hanging(runner, project, fake, tmp_path, mode="hang", **kwargs):
    recorder = Recorder()
    pidfile = tmp_path / "pids"
    handle = await runner.start(project, fake, opts(mode, env={"FAKE_FLASH_PIDFILE": str(pidfile)}, **kwargs), recorder)
    await recorder.wait_for(lambda e: isinstance(e, Output) and e.line.startswith("fake flash: hanging"))
    pids = read_pids(pidfile)
    assert len(pids) == 2 and all(pid_alive(p) for p in pids)
    return handle, pids, recorder


async def test_cancel_kills_the_whole_process_group(runner, project, fake, tmp_path):
    handle, pids, recorder = await _hanging(runner, project, fake, tmp_path)
    t0 = time.monotonic()
    finished = await handle.cancel()
    elapsed = time.monotonic() - t0
    assert finished.cancelled and not finished.timed_out and finished.exit_code == -15
    assert not any(pid_alive(p) for p in pids), "a build process survived cancel"
    assert elapsed < 2.0
    assert runner.get(project) is None
    assert recorder.events[-1] is finished


async def test_cancel_escalates_to_sigkill(runner, project, fake, tmp_path):
    handle, pids, _ = await _hanging(runner, project, fake, tmp_path, mode="hang_stubborn")
    t0 = time.monotonic()
    finished = await handle.cancel()
    assert finished.cancelled and finished.exit_code == -9
    assert not any(pid_alive(p) for p in pids)
    assert time.monotonic() - t0 < 2.0  # grace period 0.5 s + SIGKILL


async def test_timeout_kills_the_group(runner, project, fake, tmp_path):
    pidfile = tmp_path / "pids"
    finished = await runner.run(project, fake, opts("hang", timeout=3.0, env={"FAKE_FLASH_PIDFILE": str(pidfile)}))
    assert finished.timed_out and not finished.cancelled
    pids = read_pids(pidfile)
    assert len(pids) == 2, "the fake did not get to spawn its child within the timeout"
    assert not any(pid_alive(p) for p in pids)


async def test_shutdown_kills_every_build(tmp_path, fake):
    runner = BuildRunner(grace_period=0.5)
    handles, pids = [], []
    for name in ("a", "b"):
        project = copy_project("tiny_gpu", tmp_path / name)
        handle, group, _ = await _hanging(runner, project, fake, tmp_path / name)
        handles.append(handle)
        pids += group
    await runner.shutdown()
    assert all(h.done for h in handles) and runner.running() == []
    assert not any(pid_alive(p) for p in pids)


async def test_leftover_children_do_not_hold_the_build_open(runner, project, fake, tmp_path):
    pidfile = tmp_path / "pids"
    finished = await asyncio.wait_for(
        runner.run(project, fake, opts("orphan", env={"FAKE_FLASH_PIDFILE": str(pidfile)})), WAIT
    )
    assert finished.succeeded
    assert not any(pid_alive(p) for p in read_pids(pidfile))


async def test_flood_of_output(runner, project, fake):
    count = 0
    ansi = False

    def on_event(event):
        nonlocal count, ansi
        if isinstance(event, Output) and event.line.startswith("flood line"):
            count += 1
            ansi = ansi or "\x1b" in event.line

    finished = await asyncio.wait_for(runner.run(project, fake, opts("flood"), on_event), 120)
    assert finished.succeeded
    assert count == 100_000 and not ansi
    assert len(finished.tail) == runner.tail_lines


async def test_slow_start_reports_progress_when_the_build_speaks(runner, project, fake, recorder):
    t0 = time.monotonic()
    handle = await runner.start(project, fake, opts("slow_start", env={"FAKE_FLASH_DELAY": "1.5"}), recorder)
    assert isinstance(recorder.events[0], Started)
    first = await recorder.wait_for(lambda e: isinstance(e, Progress))
    assert time.monotonic() - t0 >= 1.5 and first.percentage == 2
    assert (await handle.wait()).succeeded


async def test_a_broken_callback_does_not_break_the_build(runner, project, fake):
    def on_event(event):
        raise RuntimeError("consumer bug")

    assert (await runner.run(project, fake, opts(), on_event)).succeeded


async def test_unstartable_command(runner, project, fake, recorder):
    broken = type(fake)(
        argv=(str(project / "no-such-flash"),), interpreter="/nope", package="tetra-rp", version="0.24.0"
    )
    handle = await runner.start(project, broken, opts(), recorder)
    finished = await handle.wait()
    assert finished.error and "no-such-flash" in finished.error and finished.exit_code is None
    assert isinstance(recorder.events[0], Started) and recorder.events[0].pid is None
    assert runner.get(project) is None


async def test_end_to_end_through_a_fake_interpreter_layout(runner, project, fake_venv, recorder):
    command = await resolve_flash(project, setting=str(fake_venv))
    finished = await runner.run(project, command, opts(keep_build=True), recorder)
    assert finished.succeeded
    started = recorder.events[0]
    assert started.argv == (str(fake_venv.parent / "flash"), "build", "--keep-build")
    assert started.interpreter == str(fake_venv) and started.interpreter_source == "setting"
