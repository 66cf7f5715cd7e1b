from runpod_flash import Endpoint


@Endpoint(name="ok_first", cpu="cpu3c-1-2")
def f0(x):
    return x


@Endpoint(name="bad\\Name", cpu="cpu3c-1-2")
def f1(x):
    return x
