from runpod_flash import Endpoint


@Endpoint(name="sync_cls", cpu="cpu3c-1-2", max_concurrency=3)
class Sync:
    def a(self, x):
        return x

    def b(self, x):
        return x


@Endpoint(name="my-gpu.v2", cpu="cpu3c-1-2")
def f1(x):
    return x


@Endpoint(name="1st cpu", cpu="cpu3c-1-2", max_concurrency=2)
async def f2(x):
    return x


@Endpoint(name="empty_cls", cpu="cpu3c-1-2")
class NoMethods:
    pass
