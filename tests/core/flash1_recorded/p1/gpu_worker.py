from runpod_flash import Endpoint, GpuGroup


@Endpoint(name="gpu_worker", gpu=GpuGroup.ADA_24, workers=(0, 3))
async def process_data(payload: dict) -> dict:
    from cpu_worker import preprocess

    return await preprocess(payload)
