X = 1


def later():
    from . import missing_mod
    return missing_mod
