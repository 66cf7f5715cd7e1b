import importlib
from runpod_flash import Endpoint
from tests import helpers
import pkg.sub


@Endpoint(name="w", cpu="cpu3c-1-2")
def f(x):
    mod = importlib.import_module(x)
    return x
