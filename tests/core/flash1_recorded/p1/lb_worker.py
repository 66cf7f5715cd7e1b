from runpod_flash import Endpoint

api = Endpoint(name="api_lb", cpu="cpu3c-1-2", workers=(1, 3))


@api.post("/echo")
async def echo(body: dict) -> dict:
    return body


@api.get("/health")
def health():
    return {"ok": True}
