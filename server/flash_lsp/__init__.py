"""Flash LSP: predicts what Runpod Flash's `flash build` does, live in the editor."""

__version__ = "0.1.0"
