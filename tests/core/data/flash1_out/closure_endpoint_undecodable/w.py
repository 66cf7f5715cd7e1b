from runpod_flash import Endpoint


@Endpoint(name="w", cpu="cpu3c-1-2")
def f(x):
    import latin
    return latin.NAME
