"""Migration of tetra-rp and runpod-flash 1.x projects to the runpod 2.0 App API (docs/migration.md).

Pure: parses with libcst, never imports or runs project code, writes nothing (the CLI and the
language server apply `Migration.changes`).
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .project import Migration, migrate_project

__all__ = ["Migration", "migrate_project"]


def __getattr__(name: str):
    """`Migration` and `migrate_project` on first use, so `migrate.command` loads without libcst."""
    if name in __all__:
        from . import project

        return getattr(project, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
