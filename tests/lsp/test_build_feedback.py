"""A failed build gives one pop-up: a client that shows the build output (VS Code) gets the end's
summary in `flash/buildFinished` and pops it up itself; the server then shows nothing."""

from __future__ import annotations

from lsprotocol import types

from .test_build_commands import (  # noqa: F401 - fake_venvs, fake_flash and output_showing_client are fixtures
    Builds,
    fake_flash,
    fake_venvs,
    output_showing_client,
)


async def test_a_failed_build_pops_up_once_in_a_client_that_shows_the_output(output_showing_client, fake_flash):  # noqa: F811
    client = output_showing_client
    builds = Builds(client)
    fake_flash.mode("duplicate_route")
    finished = await builds.run()
    assert finished["exitCode"] == 1
    assert finished["summary"].startswith("Build of basic failed (exit code 1): Duplicate route 'POST /x'")
    errors = [m.message for m in client.messages if m.type == types.MessageType.Error]
    assert errors == []
