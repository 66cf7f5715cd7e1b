from runpod_flash import Endpoint, GpuGroup


@Endpoint(name="gpu_worker", gpu=GpuGroup.ADA_24, workers=(0, 3))
async def process_data(x: int = 1):
    return {"x": x}


@Endpoint(name="gpu_worker", gpu=GpuGroup.ADA_24)
def alpha(y: int = 2):
    return y


@Endpoint(name="conc_cls", cpu="cpu3c-1-2", max_concurrency=4)
class Model:
    def predict(self, x):
        return x

    async def embed(self, y):
        return y


@Endpoint(name="one_cls", cpu="cpu3c-1-2")
class Single:
    def run(self, x):
        return x


@Endpoint(name="conc_fn", cpu="cpu3c-1-2", max_concurrency=150)
def sync_conc(x):
    return x
