from runpod_flash import remote, LiveServerless, GpuGroup

gpu_config = LiveServerless(name="legacy_gpu", gpus=[GpuGroup.AMPERE_80])


@remote(resource_config=gpu_config)
class Model2:
    def predict(self, x):
        return x

    async def embed(self, y):
        return y
