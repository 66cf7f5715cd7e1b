from runpod_flash import Endpoint

api = Endpoint(name="api", cpu="cpu3c-1-2")


@api.get("/x")
def x():
    from .nothing import y
    return y
