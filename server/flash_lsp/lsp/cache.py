"""Persistent cache of per-file summaries (keyed by path and content hash, per tool version)."""

from __future__ import annotations

import logging
import os
import pickle
from pathlib import Path

from .. import __version__

log = logging.getLogger(__name__)


class SummaryCache:
    """A dict of summaries loaded from and saved to one pickle file in the user cache dir."""

    def __init__(self, path: Path):
        self.path = path
        self.entries: dict = {}
        self._loaded_size = 0

    @classmethod
    def default(cls) -> SummaryCache | None:
        base = os.environ.get("FLASH_LSP_CACHE_DIR")
        if base == "off":
            return None
        if not base:
            import platformdirs

            base = platformdirs.user_cache_dir("flash-lsp")
        cache = cls(Path(base) / f"summaries-{__version__}.pickle")
        cache.load()
        return cache

    def load(self) -> None:
        try:
            with open(self.path, "rb") as handle:
                entries = pickle.load(handle)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError) as exc:
            if not isinstance(exc, FileNotFoundError):
                log.warning("ignoring unreadable summary cache %s: %s", self.path, exc)
            return
        if isinstance(entries, dict):
            self.entries = entries
            self._loaded_size = len(entries)

    def save(self, limit: int = 50_000) -> None:
        """Write the cache if it grew (atomically; the newest `limit` entries)."""
        if len(self.entries) == self._loaded_size:
            return
        items = list(self.entries.items())[-limit:]
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(f".{os.getpid()}.tmp")
            with open(tmp, "wb") as handle:
                pickle.dump(dict(items), handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.path)
            self._loaded_size = len(items)
        except OSError as exc:
            log.warning("could not write the summary cache %s: %s", self.path, exc)
