"""`flash-lsp migrate PATH --to runpod-2.0 [--dry-run]`: print the diff, or write the migrated project.

Writing never loses work: an unparsable file that uses the old API stops the whole write (exit 2);
other unparsable files are left alone and listed; every file is replaced atomically.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.model import Severity

if TYPE_CHECKING:  # libcst loads only when a migration runs: other commands start without it
    from .project import Migration

TARGETS = ("runpod-2.0",)
EXIT_OK, EXIT_NOTES, EXIT_USAGE = 0, 1, 2


def add_migrate_command(sub, checked_root) -> None:
    p = sub.add_parser("migrate", help="rewrite a tetra-rp or runpod-flash 1.x project for the runpod 2.0 App API")
    p.add_argument("path", nargs="?", default=".", help="project directory (default: .)")
    p.add_argument("--to", required=True, choices=TARGETS, help="the API to migrate to")
    p.add_argument("--dry-run", action="store_true", help="print a unified diff and write nothing")
    p.set_defaults(run=lambda args: run(args, checked_root))


def unified_diff(migration: Migration) -> str:
    import difflib  # only for --dry-run: every other command starts without it

    out = []
    for rel in sorted(migration.changes):
        old = migration.originals.get(rel)
        out += difflib.unified_diff(
            (old or "").splitlines(keepends=True),
            migration.changes[rel].splitlines(keepends=True),
            fromfile="/dev/null" if old is None else f"a/{rel}",
            tofile=f"b/{rel}",
        )
        if out and not out[-1].endswith("\n"):
            out[-1] += "\n\\ No newline at end of file\n"
    return "".join(out)


def write(migration: Migration) -> None:
    for rel, text in migration.changes.items():
        target = migration.root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.flash-lsp-migrate.tmp")
        with open(tmp, "w", encoding="utf-8", errors="surrogateescape", newline="") as fh:
            fh.write(text)
        if target.exists():
            os.chmod(tmp, target.stat().st_mode & 0o7777)
        os.replace(tmp, target)


def render_notes(migration: Migration) -> str:
    lines = []
    for d in sorted(migration.notes, key=lambda d: (d.path, d.span.line, d.code)):
        lines.append(f"{d.path}:{d.span.line + 1}:{d.span.col + 1}: {d.severity.name.lower()} {d.code} {d.message}")
    return "\n".join(lines)


def run(args, checked_root) -> int:
    root = checked_root(args.path)
    from .project import migrate_project

    migration = migrate_project(Path(root))
    if args.dry_run:
        sys.stdout.write(unified_diff(migration))
    elif migration.blocked:
        print(render_notes(migration), file=sys.stderr)
        print(
            f"flash-lsp: error: nothing written: {', '.join(migration.blocked)} use the old API but do not parse; "
            "fix them and run again",
            file=sys.stderr,
        )
        return EXIT_USAGE
    else:
        write(migration)
    if migration.notes:
        print(render_notes(migration), file=sys.stderr)
    written = "would change" if args.dry_run else "changed"
    summary = f"{written} {len(migration.changes)} file(s)"
    if migration.skipped:
        summary += f"; skipped (do not parse): {', '.join(migration.skipped)}"
    print(summary, file=sys.stderr)
    return EXIT_NOTES if any(d.severity <= Severity.WARNING for d in migration.notes) else EXIT_OK
