from runpod_flash import Endpoint, GpuGroup, LiveServerless, remote

api = Endpoint(name="api", cpu="cpu3c-1-2", dependencies=["attrs"])
cfg = LiveServerless(name="legacy")


@Endpoint(name="gpu", gpu=GpuGroup.ADA_24, dependencies=["idna", "torch>=2.0", 5, "termcolor==3.3.0"])
async def infer(x):
    return x


@api.post("/x")
def x():
    return 1


@remote(resource_config=cfg, dependencies=["six", "toml"])
class Legacy:
    def run(self):
        @Endpoint(name="never", cpu="cpu3c-1-2", dependencies=["tabulate"])
        def inner():
            return 1

        return inner
