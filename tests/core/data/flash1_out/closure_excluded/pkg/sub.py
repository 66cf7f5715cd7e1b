from . import missing_mod
