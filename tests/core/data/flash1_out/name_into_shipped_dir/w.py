from runpod_flash import Endpoint


@Endpoint(name="aaa", cpu="cpu3c-1-2")
def f0(x):
    return x


@Endpoint(name="team/gpu", cpu="cpu3c-1-2")
def f1(x):
    return x


@Endpoint(name="zzz", cpu="cpu3c-1-2")
def f2(x):
    return x
