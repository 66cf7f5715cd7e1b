from runpod_flash import Endpoint

api = Endpoint(name="api", cpu="cpu3c-1-2")


@api.get('/a"b')
def f0():
    return 1
