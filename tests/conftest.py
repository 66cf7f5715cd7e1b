"""pytest configuration shared by the test suite."""

# The fixture projects are inputs, not tests (some contain `tests/` dirs of their own).
collect_ignore = ["fixtures"]


def pytest_collection_modifyitems(config, items):
    """`release_sweep` tests (every 1.x release's real build) run only when `-m` names the marker,
    so no other `-m` expression, and no plain `pytest`, picks them up."""
    if "release_sweep" in (config.option.markexpr or ""):
        return
    sweep = [item for item in items if item.get_closest_marker("release_sweep") is not None]
    if sweep:
        config.hook.pytest_deselected(items=sweep)
        items[:] = [item for item in items if item.get_closest_marker("release_sweep") is None]
