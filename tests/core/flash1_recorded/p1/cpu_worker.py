from runpod_flash import Endpoint


@Endpoint(name="cpu_worker", cpu="cpu3c-1-2")
async def preprocess(payload: dict) -> dict:
    return payload
