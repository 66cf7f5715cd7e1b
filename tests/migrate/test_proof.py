"""The migration proof: for every fixture, the real old build and the real rc2 build of the migrated copy
declare the same resources with the same settings, or differ exactly where the notes say
(tests/migrate/proof.py). The proofs this session selects run two at a time."""

from __future__ import annotations

import pytest

from tests import fidelity as base
from tests.migrate import proof

pytestmark = [pytest.mark.fidelity, pytest.mark.network]
FIXTURES = proof.fixtures()


@pytest.fixture(scope="session")
def proofs(request):
    wanted = base.session_params(request, "test_migration_is_proven_by_the_real_builds", "fixture")
    with base.two_at_a_time(proof.prove, wanted) as prove:
        yield prove


def test_the_corpus_spans_both_old_apis_and_the_hard_cases():
    names = {p.name for p in FIXTURES}
    assert len(FIXTURES) >= 20
    assert {proof.old_profile(p) for p in FIXTURES} == {"tetra-0.24", "flash-1.21"}
    assert {"f_lb_routes", "t_lb", "f_qb_class", "f_volume", "t_volume", "f_client_image", "f_client_id"} <= names


@pytest.mark.parametrize("fixture", FIXTURES, ids=[p.name for p in FIXTURES])
def test_migration_is_proven_by_the_real_builds(fixture, proofs):
    problems = proofs(fixture)
    assert not problems, "\n".join(problems)
