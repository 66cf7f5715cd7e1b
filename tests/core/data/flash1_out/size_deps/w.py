from runpod_flash import Endpoint, GpuGroup


@Endpoint(name="w", gpu=GpuGroup.ADA_24, dependencies=["idna", "torch"])
def f(x):
    return x
