from runpod_flash import GpuGroup, LiveServerless, remote

gpu_config = LiveServerless(name="legacy_gpu", gpus=[GpuGroup.AMPERE_80])


@remote(gpu_config)
class Model:
    def predict(self, x):
        return x

    async def embed(self, x):
        return x
