"""Record what the real runpod-flash `flash build` writes for the projects under `data/flash1_out/`.

Usage (repo root; makes the reference venvs on first use, then about 5 s a build)::

    python -m tests.core.flash1_record [CASE ...] [--profile flash-1.21 ...]

Each case directory is built by `tests.fidelity_flash1.run_real_build` (a temp copy, the release's
reference venv, `flash build` with no extra arguments) and the result is written next to the
sources' directory as `expected/<case>-<profile>.json`: exit code, the manifest as written (kept also when the build
deletes its build dir), the generated files, the shipped files, the error text, the error and the
warning lines. `test_flash1_handlers.py` and `test_flash1_files.py` compare our predictions with these.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from tests import fidelity_flash1

DATA = Path(__file__).parent / "data" / "flash1_out"
PROFILES = tuple(fidelity_flash1.PROFILES)
_LOG_WARNING = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \| WARNING +\| (.*)$")


def warning_lines(output: str) -> list[str]:
    """The build's warnings: `! …` / `Warning: …` lines and WARNING log records (timestamp dropped)."""
    out = []
    for line in output.splitlines():
        m = _LOG_WARNING.match(line)
        if m:
            out.append(m.group(1))
        elif line.startswith(("! ", "Warning: ")):
            out.append(line)
    return out


def record(case: Path, profile: str) -> dict:
    real = fidelity_flash1.run_real_build(case, profile, "base")
    return {
        "command": f"python -m tests.core.flash1_record {case.name} --profile {profile}",
        "profile": profile,
        "release": fidelity_flash1.PROFILES[profile],
        "returncode": real.returncode,
        "build_dir": f"{fidelity_flash1.base.PLACEHOLDER}/.flash/.build",
        "manifest": real.manifest,
        "generated": real.handlers,
        "files": real.files,
        "archive_files": real.archive_files,
        "errors": real.errors,
        "warnings": warning_lines(real.output),
        "output": real.output,
        "error_lines": [line for line in real.output.splitlines() if line.startswith(("✗ ", "Error: "))],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*", help="case directory names (default: all)")
    parser.add_argument("--profile", action="append", choices=PROFILES, help="default: every 1.x profile")
    args = parser.parse_args(argv)
    cases = (
        [DATA / c for c in args.cases]
        if args.cases
        else sorted(p for p in DATA.iterdir() if p.is_dir() and p.name != "expected")
    )
    (DATA / "expected").mkdir(exist_ok=True)
    for case in cases:
        for profile in args.profile or PROFILES:
            result = record(case, profile)
            (DATA / "expected" / f"{case.name}-{profile}.json").write_text(
                json.dumps(result, indent=1, ensure_ascii=False) + "\n"
            )
            print(f"{case.name} {profile}: exit {result['returncode']}, {len(result['generated'])} generated files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
