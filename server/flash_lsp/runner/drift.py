"""Compare a real build dir (`.flash/.build`) with the language server's prediction.

Three areas:

* manifest: `flash_manifest.json`, ignoring `generated_at`, comparing `gpuIds` as a set and lists
  of named objects (`functions`) by name, since their order follows the unsorted file walk;
* handlers: generated handler files (`handler_*.py` at the top, `handlers/**`), ignoring the
  `Generated at:` line;
* files: shipped project files = build dir files − generated files − pip-installed files (listed
  in a top-level `*.dist-info/RECORD`, plus `bin/`).

"missing" means predicted but not in the build, "extra" in the build but not predicted.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import os
import posixpath
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Prediction = Mapping[str, Any]  # {"manifest": dict | None, "handlers": {relpath: text}, "files": [relpath]}
Predictor = Callable[[Path], Prediction]

IGNORED_MANIFEST_KEYS = frozenset({"generated_at"})
SET_VALUED_KEYS = frozenset({"gpuIds"})
GENERATED_AT = "Generated at:"
# Bundled by the build itself, not pip, in runpod-flash 1.4.2+.
BUNDLED_DIRS = ("runpod_flash/",)


@dataclass(frozen=True)
class DriftItem:
    area: str  # "manifest" | "handlers" | "files"
    path: str  # JSON-pointer-like path for the manifest; relpath otherwise
    kind: str  # "missing" | "extra" | "changed"
    expected: Any = None
    actual: Any = None
    detail: str = ""

    def describe(self) -> str:
        if self.kind == "missing":
            return f"{self.area}: `{self.path}` predicted but not in the build"
        if self.kind == "extra":
            return f"{self.area}: `{self.path}` in the build but not predicted"
        if self.area == "manifest":
            return f"manifest: `{self.path}` predicted {json.dumps(self.expected)}, built {json.dumps(self.actual)}"
        return f"{self.area}: `{self.path}` differs"


@dataclass(frozen=True)
class DriftReport:
    items: tuple[DriftItem, ...] = ()
    error: str | None = None

    @property
    def no_drift(self) -> bool:
        return self.error is None and not self.items

    def to_dict(self) -> dict:
        return {
            "no_drift": self.no_drift,
            "error": self.error,
            "items": [
                {
                    "area": i.area,
                    "path": i.path,
                    "kind": i.kind,
                    "expected": i.expected,
                    "actual": i.actual,
                    "detail": i.detail,
                }
                for i in self.items
            ],
        }

    def to_markdown(self) -> str:
        if self.error:
            return f"Drift not checked: {self.error}"
        if not self.items:
            return "No drift: the build matches the prediction."
        lines = [f"{len(self.items)} difference(s) between the prediction and the build:", ""]
        for item in self.items:
            lines.append(f"- {item.describe()}")
            if item.detail:
                lines += ["", "  ```diff", *("  " + d for d in item.detail.splitlines()), "  ```", ""]
        return "\n".join(lines).rstrip()


# --- build dir classification -------------------------------------------------------------------


def _walk(build_dir: Path) -> list[str]:
    files = []
    for dirpath, dirnames, filenames in os.walk(build_dir):
        dirnames.sort()
        rel_dir = os.path.relpath(dirpath, build_dir)
        for name in sorted(filenames):
            rel = name if rel_dir == "." else f"{rel_dir}/{name}"
            files.append(rel.replace(os.sep, "/"))
    return sorted(files)


def is_generated(relpath: str) -> bool:
    """Files the build writes itself: the manifest, handlers, bundled SDK."""
    if relpath == "flash_manifest.json":
        return True
    if "/" not in relpath and relpath.startswith("handler_") and relpath.endswith(".py"):
        return True
    return relpath.startswith("handlers/") or relpath.startswith(BUNDLED_DIRS)


def record_paths(record_text: str) -> set[str]:
    """Paths a RECORD lists, normalised; entries outside the target (`../bin/x`) are dropped."""
    paths = set()
    for row in csv.reader(io.StringIO(record_text)):
        if not row or not row[0]:
            continue
        path = posixpath.normpath(row[0].replace("\\", "/"))
        if not path.startswith("../") and not posixpath.isabs(path) and path != "..":
            paths.add(path)
    return paths


def pip_installed(build_dir: Path) -> set[str]:
    """Files pip put in the build dir (`--target`): everything in top-level RECORDs."""
    installed: set[str] = set()
    for record in sorted(build_dir.glob("*.dist-info/RECORD")):
        try:
            installed |= record_paths(record.read_text(encoding="utf-8", errors="replace"))
        except OSError:
            continue
    return installed


def is_pip_path(relpath: str, installed: set[str]) -> bool:
    return relpath in installed or relpath.startswith("bin/") or relpath.split("/", 1)[0].endswith(".dist-info")


def shipped_project_files(build_dir: Path) -> list[str]:
    installed = pip_installed(build_dir)
    return [f for f in _walk(build_dir) if not is_generated(f) and not is_pip_path(f, installed)]


def generated_handler_files(build_dir: Path) -> list[str]:
    return [f for f in _walk(build_dir) if is_generated(f) and f.endswith(".py") and not f.startswith(BUNDLED_DIRS)]


# --- comparisons --------------------------------------------------------------------------------


def _pointer(path: tuple[str, ...]) -> str:
    return "/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in path)


def _as_set(value: Any) -> Any:
    if isinstance(value, str):
        return sorted({v.strip() for v in value.split(",") if v.strip()})
    if isinstance(value, (list, tuple)):
        return sorted({str(v) for v in value})
    return value


def _named(items: Any) -> dict[str, Any] | None:
    if isinstance(items, list) and items and all(isinstance(i, dict) and isinstance(i.get("name"), str) for i in items):
        names = [i["name"] for i in items]
        if len(set(names)) == len(names):
            return {i["name"]: i for i in items}
    return None


def diff_manifest(expected: Any, actual: Any, path: tuple[str, ...] = ()) -> list[DriftItem]:
    """Differences between a predicted and a built manifest (or sub-value)."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        items: list[DriftItem] = []
        for key in list(expected) + [k for k in actual if k not in expected]:
            if key in IGNORED_MANIFEST_KEYS:
                continue
            sub = (*path, str(key))
            if key not in actual:
                items.append(DriftItem("manifest", _pointer(sub), "missing", expected[key], None))
            elif key not in expected:
                items.append(DriftItem("manifest", _pointer(sub), "extra", None, actual[key]))
            elif key in SET_VALUED_KEYS:
                if _as_set(expected[key]) != _as_set(actual[key]):
                    items.append(DriftItem("manifest", _pointer(sub), "changed", expected[key], actual[key]))
            else:
                items += diff_manifest(expected[key], actual[key], sub)
        return items
    named_e, named_a = _named(expected), _named(actual)
    if named_e is not None and named_a is not None:
        return diff_manifest(named_e, named_a, path)
    if expected != actual:
        return [DriftItem("manifest", _pointer(path), "changed", expected, actual)]
    return []


def _without_timestamp(text: str) -> list[str]:
    return [line for line in text.splitlines() if GENERATED_AT not in line]


def diff_text(
    relpath: str, expected: str, actual: str, area: str = "handlers", max_lines: int = 40
) -> DriftItem | None:
    e, a = _without_timestamp(expected), _without_timestamp(actual)
    if e == a:
        return None
    diff = list(difflib.unified_diff(e, a, f"predicted/{relpath}", f"build/{relpath}", lineterm="", n=1))
    if len(diff) > max_lines:
        diff = diff[:max_lines] + [f"… {len(diff) - max_lines} more diff lines"]
    return DriftItem(area, relpath, "changed", detail="\n".join(diff))


def _norm(relpath: str) -> str:
    rel = relpath.replace("\\", "/")
    return rel[2:] if rel.startswith("./") else rel


def compare_build(build_dir: Path, prediction: Prediction) -> DriftReport:
    """Drift between `build_dir` and a prediction."""
    build_dir = Path(build_dir)
    if not build_dir.is_dir():
        return DriftReport(error=f"{build_dir} does not exist: run `flash build --keep-build` first")
    items: list[DriftItem] = []

    manifest_path = build_dir / "flash_manifest.json"
    actual_manifest = None
    if manifest_path.exists():
        try:
            actual_manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except ValueError as exc:
            return DriftReport(error=f"{manifest_path} is not valid JSON: {exc}")
    expected_manifest = prediction.get("manifest")
    if expected_manifest is None and actual_manifest is not None:
        items.append(DriftItem("manifest", "flash_manifest.json", "extra"))
    elif expected_manifest is not None and actual_manifest is None:
        items.append(DriftItem("manifest", "flash_manifest.json", "missing"))
    elif expected_manifest is not None:
        items += diff_manifest(expected_manifest, actual_manifest)

    expected_handlers = {_norm(k): v for k, v in (prediction.get("handlers") or {}).items()}
    actual_handlers = set(generated_handler_files(build_dir))
    for rel in sorted(set(expected_handlers) | actual_handlers):
        if rel not in actual_handlers:
            items.append(DriftItem("handlers", rel, "missing"))
        elif rel not in expected_handlers:
            items.append(DriftItem("handlers", rel, "extra"))
        else:
            actual_text = (build_dir / rel).read_text(encoding="utf-8", errors="replace")
            item = diff_text(rel, expected_handlers[rel], actual_text)
            if item:
                items.append(item)

    expected_files = {_norm(f) for f in prediction.get("files") or ()}
    actual_files = set(shipped_project_files(build_dir))
    items += [DriftItem("files", f, "missing") for f in sorted(expected_files - actual_files)]
    items += [DriftItem("files", f, "extra") for f in sorted(actual_files - expected_files)]
    return DriftReport(tuple(items))


def drift_for_project(project_root: Path, predict: Predictor) -> DriftReport:
    """Run the caller's predictor and compare with `<project>/.flash/.build`."""
    try:
        prediction = predict(Path(project_root))
    except Exception as exc:  # the predictor is the caller's code
        return DriftReport(error=f"prediction failed: {type(exc).__name__}: {exc}")
    return compare_build(Path(project_root) / ".flash" / ".build", prediction)
