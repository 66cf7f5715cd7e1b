import importlib


def load(name):
    from ..outside import thing
    return importlib.import_module(name)
