from tetra_rp import CpuLiveLoadBalancer, remote

api_config = CpuLiveLoadBalancer(name="hello_api", workersMin=1)


@remote(api_config, method="GET", path="/health")
def health() -> dict:
    return {"ok": True}


@remote(api_config, method="POST", path="/echo")
async def echo(payload: dict) -> dict:
    return payload
