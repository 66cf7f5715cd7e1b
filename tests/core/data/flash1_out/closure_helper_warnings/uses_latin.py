def f():
    from lib import latin
    return latin.NAME
