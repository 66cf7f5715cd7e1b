"""Migrate a whole project: every module, `requirements.txt`, and where the one `runpod.App` lives.

`migrate_project(root)` reads and plans; it writes nothing. The result holds the new text of every
changed file, the files it could not parse, and the notes (docs/migration.md).
"""

from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path

import libcst as cst

from ..core.imports import module_name
from ..core.model import Diagnostic, Span
from .notes import note
from .requirements import TORCH_FAMILY, requirement_name, rewrite_requirements
from .rewrite import Context, ModuleRewrite, Resource
from .scan import LB_CLASSES, Config, ModuleScan, scan

SKIP_DIRS = frozenset({".git", ".venv", "venv", "node_modules", "__pycache__", ".runpod", ".flash", "build", "dist"})
APP_PACKAGE = "runpod_app"
APP_MODULE_TEXT = '''"""The project's runpod 2.0 App (written by `flash-lsp migrate`).

A package, not a top-level module: `rp flash deploy` imports top-level files under generated names, so
an `app.py` that other files import would run twice and make two Apps of one name.
"""

import runpod

app = runpod.App({name})
'''


@dataclasses.dataclass
class Migration:
    root: Path
    changes: dict[str, str]  # relative path -> new text (new files included)
    originals: dict[str, str | None]  # relative path -> old text (None for a new file)
    notes: list[Diagnostic]
    skipped: list[str]  # files that do not parse
    resources: dict[str, list[Resource]]  # relative path -> 2.0 resources declared there

    @property
    def blocked(self) -> list[str]:
        """Unparsable files that use the old API: writing the migration would leave them broken."""
        return [p for p in self.skipped if re.search(r"\b(runpod_flash|tetra_rp)\b", self.originals.get(p) or "")]


def python_files(root: Path) -> list[Path]:
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        out += [Path(dirpath, f) for f in sorted(filenames) if f.endswith(".py")]
    return out


def app_name_of(root: Path) -> str:
    """The App name: the project directory's name, as the old builds named the project."""
    return root.resolve().name


def migrate_project(root: Path, only: set[str] | None = None, overlay: dict[str, str] | None = None) -> Migration:
    """Plan the migration of `root`; `only` (relative paths) limits the files rewritten (and leaves
    requirements.txt and the shared App module alone); `overlay` gives editor texts of open files."""
    root = Path(root)
    sources, scans, skipped, notes = {}, {}, [], []
    for file in python_files(root):
        rel = file.relative_to(root).as_posix()
        text = (overlay or {}).get(rel)
        if text is None:
            text = file.read_text(encoding="utf-8", errors="surrogateescape")
        sources[rel] = text
        try:
            scans[rel] = scan(cst.parse_module(text))
        except cst.ParserSyntaxError as exc:
            skipped.append(rel)
            notes.append(
                note(
                    "FL957",
                    rel,
                    Span(max(exc.raw_line - 1, 0), 0, max(exc.raw_line - 1, 0), 0),
                    f"{rel} does not parse ({exc.message}); the migration leaves it as it is",
                )
            )
    ctx, homes = _context(root, scans, sources)
    migration = Migration(root, {}, dict(sources), notes, skipped, {})
    for rel, _found in scans.items():
        if only is not None and rel not in only:
            continue
        rewrite = ModuleRewrite(
            rel,
            module_name(rel),
            sources[rel],
            dataclasses.replace(ctx, app_import=ctx.app_import if len(homes) > 1 else None),
        )
        new = rewrite.run()
        migration.notes += rewrite.notes
        if rewrite.resources:
            migration.resources[rel] = rewrite.resources
        if new != sources[rel]:
            migration.changes[rel] = new
    init = f"{APP_PACKAGE}/__init__.py"
    if len(homes) > 1 and not (root / init).exists():  # a single file's migration needs it too
        migration.originals.setdefault(init, None)
        migration.changes[init] = APP_MODULE_TEXT.format(name=f'"{ctx.app_name}"')
    if only is None:
        _requirements(root, migration, ctx)
    _mothership(scans, sources, migration)
    return migration


def _context(root: Path, scans: dict[str, ModuleScan], sources: dict[str, str]) -> tuple[Context, set[str]]:
    configs: dict[tuple[str, str], Config] = {}
    for rel, found in scans.items():
        for var, cfg in found.configs.items():
            configs[(module_name(rel), var)] = cfg
    stubs, queues, homes, cpu_or_image, torch = {}, set(), set(), False, False
    for (mod, var), cfg in configs.items():
        if cfg.cls == "Endpoint" and (cfg.keyword("image") or cfg.keyword("id")):
            used_as_api = any(
                re.search(rf"\b{re.escape(var)}\.(get|post|put|delete|patch)\(", s) for s in sources.values()
            )
            stubs[(mod, var)] = "Api" if used_as_api else "Queue"
    for rel, found in scans.items():
        mod = module_name(rel)
        for dec in found.decorated:
            cfg = found.configs.get(dec.config_ref or "") or configs.get(
                found.project_imports.get(dec.config_ref or "")
            )
            if dec.form == "endpoint":
                call = dec.decorator.decorator
                cpu_or_image |= any(a.keyword and a.keyword.value == "cpu" for a in call.args)
                if isinstance(dec.node, cst.FunctionDef):
                    queues.add((mod, dec.name))
            elif dec.form == "remote" and cfg is not None and cfg.cls not in LB_CLASSES and not dec.method:
                queues.add((mod, dec.name))
            if cfg is not None:
                cpu_or_image |= (
                    cfg.cls.startswith("Cpu") or cfg.keyword("cpu") is not None or cfg.keyword("imageName") is not None
                )
            if dec.form in ("endpoint", "remote", "route"):
                homes.add(rel)
        torch |= bool(re.search(r"\b(torch|torchvision|torchaudio|triton)\b", sources[rel]))
    requirements = root / "requirements.txt"
    if requirements.is_file():
        torch |= any(
            requirement_name(line) in TORCH_FAMILY for line in requirements.read_text(encoding="utf-8").splitlines()
        )
    ctx = Context(app_name_of(root), APP_PACKAGE, configs, stubs, queues, strip_torch=cpu_or_image and torch)
    return ctx, homes


def _requirements(root: Path, migration: Migration, ctx: Context) -> None:
    path = root / "requirements.txt"
    if not path.is_file():
        return
    old = path.read_text(encoding="utf-8")
    new, notes = rewrite_requirements(old, "requirements.txt", ctx.strip_torch)
    migration.notes += notes
    migration.originals["requirements.txt"] = old
    if new != old:
        migration.changes["requirements.txt"] = new


def _mothership(scans: dict[str, ModuleScan], sources: dict[str, str], migration: Migration) -> None:
    """tetra-rp 0.22+ built a `mothership` resource from a FastAPI app in main.py/app.py/server.py."""
    if not any(s.old_names for s in scans.values()) or not any("tetra_rp" in sources[rel] for rel in scans):
        return
    for rel in ("mothership.py", "main.py", "app.py", "server.py"):
        text = sources.get(rel)
        if text is None:
            continue
        m = (
            re.search(r"^(\w+)\s*=\s*FastAPI\(", text, re.MULTILINE)
            if rel != "mothership.py"
            else re.search(r"^mothership\s*=", text, re.MULTILINE)
        )
        if m and (rel == "mothership.py" or re.search(rf"@{m.group(1)}\.(get|post|put|delete|patch)\(", text)):
            line = text[: m.start()].count("\n")
            migration.notes.append(
                note(
                    "FL952",
                    rel,
                    Span(line, 0, line, len(m.group(0))),
                    f"tetra-rp deployed the FastAPI app of {rel} as the 'mothership' endpoint; runpod 2.0 deploys it only "
                    'when it is declared, e.g. `@app.api(name="mothership", cpu=...)` on a function returning it',
                    resource="mothership",
                    setting="resource",
                )
            )
            return
