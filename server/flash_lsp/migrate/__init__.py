"""Migration of tetra-rp and runpod-flash 1.x projects to the runpod 2.0 App API (docs/migration.md).

Pure: parses with libcst, never imports or runs project code, writes nothing (the CLI and the
language server apply `Migration.changes`).
"""

from .project import Migration, migrate_project

__all__ = ["Migration", "migrate_project"]
