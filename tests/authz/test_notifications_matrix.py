"""The authorization matrix: see tests/authz/table_notifications.py."""

import pytest

from tests.authz.engine import groups, play
from tests.authz.table_notifications import TABLE
from tests.authz.world import ADMIN


@pytest.mark.parametrize("keys", groups(TABLE))
def test_notifications_matrix(world, keys):
    play(world, TABLE, keys)


def test_company_overview_shows_an_executive_only_the_goals_they_may_see(world, client):
    """The company overview is for executives and admins; an executive outside Sales' chain
    does not meet Sales' private goal there (it was listed with its key results)."""
    from decimal import Decimal

    from goals.services import create_goal
    from org.models import Person
    from tests.factories import PersonFactory, UserFactory

    cfo = PersonFactory(
        user=UserFactory(username="cfo"), unit=world.units["hr"], level=Person.Level.EXECUTIVE
    )
    create_goal(
        actor=None,
        cycle=world.cycle,
        title="Zq-private-sales-goal",
        level="unit",
        owner_unit=world.units["sales"],
        visibility="private",
        key_results=[{"name": "Zq-private-sales-kr", "target_value": Decimal("9")}],
        starts_on=world.cycle.starts_on,  # behind its pace, so among the top risks
    )
    client.force_login(cfo.user)
    page = client.get("/dashboard/company/")
    assert page.status_code == 200
    assert b"Zq-private-sales" not in page.content
    client.force_login(world.people[ADMIN].user)
    assert b"Zq-private-sales-kr" in client.get("/dashboard/company/").content
