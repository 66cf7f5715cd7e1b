"""Mutated Flash sources never make the analysis raise or take long (bench/fuzz.py runs 100,000)."""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .mutations import SEEDS, analyse_once, mutate, write_base

PATHS = ["workers/w.py", "workers/w.py", "mothership.py", "main.py"]


@settings(
    max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(seed=st.sampled_from(SEEDS), relpath=st.sampled_from(PATHS), rng=st.randoms(use_true_random=False))
def test_mutated_sources_analyse_without_error_in_bounded_time(tmp_path_factory, seed, relpath, rng):
    root = write_base(tmp_path_factory.getbasetemp() / "fuzz")
    source = mutate(seed, rng)
    start = time.process_time()
    caught = analyse_once(root, relpath, source)
    assert time.process_time() - start < 2.0, source[:500]
    assert not caught, (caught, source[:500])
