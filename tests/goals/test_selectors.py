import pytest

from goals import permissions as goal_permissions
from goals import selectors
from goals.models import Cycle, Goal
from org.scopes import Viewer
from tests.goals.factories import GoalFactory, KeyResultFactory


def test_active_key_results_for_a_person(
    company, make_goal, quarter, past_quarter, django_assert_max_num_queries
):
    alice = company["alice"]
    draft = make_goal(alice)
    agreed = make_goal(alice, state=Goal.State.AGREED)
    make_goal(alice, state=Goal.State.RETURNED)
    make_goal(company["erin"], state=Goal.State.AGREED)
    KeyResultFactory(goal=GoalFactory(cycle=past_quarter, owner_person=alice, state="agreed"))
    planning = Cycle.objects.create(
        name="2027 Q1",
        kind="quarter",
        starts_on="2027-01-01",
        ends_on="2027-03-31",
        state="planning",
    )
    KeyResultFactory(goal=GoalFactory(cycle=planning, owner_person=alice, state="agreed"))
    with django_assert_max_num_queries(1):
        rows = list(selectors.active_key_results_for(alice))
        assert {kr.goal_id for kr in rows} == {draft.pk, agreed.pk}
        assert all(kr.goal.cycle.state == "active" for kr in rows)


def test_goal_tree_prunes_invisible_subtrees(company, make_goal):
    top = make_goal(company["acme"], level=Goal.Level.COMPANY, title="Grow market share by 5 %")
    sales = make_goal(company["sales"], parent=top, visibility=Goal.Visibility.UNIT)
    alice = make_goal(company["alice"], parent=sales)
    marketing = make_goal(company["marketing"], parent=top)
    dave_view = selectors.goal_tree(top, company["dave"])
    assert [n.goal.pk for n in dave_view.children] == [marketing.pk]
    bob_view = selectors.goal_tree(top, company["bob"])
    sales_node = next(n for n in bob_view.children if n.goal.pk == sales.pk)
    assert [n.goal.pk for n in sales_node.children] == [alice.pk]
    assert bob_view.count() == 4


def test_visible_goals_is_one_query(company, make_goal, django_assert_max_num_queries):
    for who in ("alice", "erin", "dave"):
        make_goal(company[who], visibility=Goal.Visibility.PRIVATE)
    bob = Viewer(company["bob"])
    goal_permissions.visible_goals(bob).count()  # warm the viewer's scope caches
    with django_assert_max_num_queries(1):
        assert goal_permissions.visible_goals(bob).count() == 2


@pytest.mark.parametrize(
    ("who", "goal_owner", "expected"),
    [
        ("bob", "alice", True),
        ("zed", "alice", True),
        ("erin", "alice", False),
        ("carol", "alice", False),
        ("alice", "alice", False),
        ("zed", "sales", True),
        ("bob", "sales", False),
        ("mia", "sales", False),
    ],
)
def test_can_manage_goal(company, make_goal, who, goal_owner, expected):
    goal = make_goal(company[goal_owner])
    assert goal_permissions.can_manage_goal(company[who], goal) is expected
