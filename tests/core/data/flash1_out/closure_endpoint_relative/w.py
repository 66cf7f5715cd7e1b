from runpod_flash import Endpoint


@Endpoint(name="w", cpu="cpu3c-1-2")
def f(x):
    from pkg import sub
    return sub.X
