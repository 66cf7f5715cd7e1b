"""Tests of flash_lsp.bundle (archive-size prediction)."""
