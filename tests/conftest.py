"""pytest configuration shared by the test suite."""

# The fixture projects are inputs, not tests (some contain `tests/` dirs of their own).
collect_ignore = ["fixtures"]
