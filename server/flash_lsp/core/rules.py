"""Diagnostics rules (filled in next)."""


def run_rules(model, project):
    return []
