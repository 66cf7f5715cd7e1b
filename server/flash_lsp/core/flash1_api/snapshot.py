"""Regenerate the bundled API snapshot from a real runpod-flash installation:

python -m flash_lsp.core.flash1_api.snapshot <site-packages holding runpod_flash 1.21.0>
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from . import SNAPSHOT
from .reader import read_package


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not (Path(argv[0]) / "runpod_flash" / "__init__.py").is_file():
        print("usage: python -m flash_lsp.core.flash1_api.snapshot <site-packages with runpod_flash>", file=sys.stderr)
        return 2
    data = read_package(Path(argv[0]) / "runpod_flash")
    SNAPSHOT.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {SNAPSHOT} (runpod-flash {data['version']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
