"""A small process that owns a `BuildRunner`, for tests that need a second process or one to kill.

    python -m tests.runner.build_driver PROJECT LOCK_DIR   (env: FAKE_FLASH_* for the fake `flash`)

Prints one JSON object per line: `{"started": pid}` or `{"refused": message}`, then
`{"finished": exit_code}`; `{"output": line}` for each line of build output.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from flash_lsp.runner.build_process import BuildRunner
from flash_lsp.runner.events import AlreadyRunning, Finished, Output, Started
from tests.fixtures.fake_flash.layout import fake_command


def say(**fields) -> None:
    print(json.dumps(fields), flush=True)


def on_event(event) -> None:
    if isinstance(event, Started):
        say(started=event.pid)
    elif isinstance(event, Output):
        say(output=event.line)
    elif isinstance(event, Finished):
        say(finished=event.exit_code)


async def main(project: str, lock_dir: str) -> int:
    runner = BuildRunner(grace_period=0.5, lock_dir=Path(lock_dir))
    result = await runner.run(project, fake_command(), on_event=on_event)
    if isinstance(result, AlreadyRunning):
        say(refused=result.message)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(*sys.argv[1:3])))
