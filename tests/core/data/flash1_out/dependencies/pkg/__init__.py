from runpod_flash import Endpoint


@Endpoint(name="init_ep", cpu="cpu3c-1-2", dependencies=["zzz-not-a-package"])
def f():
    return 1
