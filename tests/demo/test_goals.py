import pytest
from django.db.models import Sum
from django.urls import reverse

from demo.seed import goals as goals_seed
from demo.seed import org as org_seed
from demo.seed import org_synthetic
from goals import selectors, services
from goals.models import Cycle, Goal, GoalTemplate, KeyResult, Measurement, TargetAdjustment

pytestmark = pytest.mark.usefixtures("goals_day")


def _snapshot():
    return (
        Goal.objects.count(),
        KeyResult.objects.count(),
        Measurement.objects.count(),
        TargetAdjustment.objects.count(),
        GoalTemplate.objects.count(),
        Cycle.objects.count(),
        sorted(Goal.objects.values_list("state", "progress")),
    )


@pytest.mark.django_db
def test_demo_company_goals(client, django_assert_max_num_queries):
    ctx = org_seed.seed_company()
    goals_seed.seed(ctx)
    first = _snapshot()
    goals_seed.seed(org_seed.seed_company())
    assert _snapshot() == first  # idempotent

    states = dict(Cycle.objects.values_list("kind", "state").filter(kind="year"))
    assert states == {"year": "active"}
    assert Cycle.objects.filter(kind="quarter", state="active").count() == 1
    assert Cycle.objects.filter(kind="quarter", state="closed").count() == 1

    sales = Goal.objects.get(title="200 new customers", owner_unit=ctx.units["sales"])
    assert sales.parent.title == goals_seed.COMPANY_GOAL
    # Sales splits its qualified customers to its two teams, each to its reps.
    teams = Goal.objects.filter(parent=sales, level="unit")
    assert {t.owner_unit_id for t in teams} == {
        ctx.units["sales-inside"].pk,
        ctx.units["sales-key"].pk,
    }
    reps = ctx.units["sales-inside"].members.count() + ctx.units["sales-key"].members.count() - 1
    assert Goal.objects.filter(parent__in=teams).count() == reps
    # The deliberate cascade gap: the teams carry less than Sales expects.
    qualified = sales.key_results.get(metric="new-customers")
    assert qualified.source == "rollup" and qualified.contributors.count() == 2
    carried = KeyResult.objects.filter(goal__parent=sales, metric="new-customers").aggregate(
        total=Sum("target_value")
    )["total"]
    assert qualified.target_value - carried == goals_seed.CASCADE_GAP
    gaps = {
        g["key_result"].pk: g["gap"]
        for g in selectors.cascade_shortfalls(viewer=ctx.people["hrbp"], cycle=sales.cycle)
    }
    assert gaps[qualified.pk] == goals_seed.CASCADE_GAP
    # A returned goal carries nothing until it is agreed again: its 45 are its team's gap.
    returned = Goal.objects.get(parent__in=teams, state="returned")
    assert returned.return_comment
    team_kr = returned.parent.key_results.get(metric="new-customers")
    assert gaps[team_kr.pk] == goals_seed.REP_TARGET
    assert Goal.objects.filter(parent__in=teams, state="proposed").count() >= 2
    assert TargetAdjustment.objects.filter(state="pending").count() == 1
    assert Goal.objects.filter(kind="kpi", owner_unit=ctx.units["support"]).exists()
    assert Goal.objects.filter(kind="kpi", owner_unit=ctx.units["marketing"]).exists()
    behind = [
        kr
        for kr in KeyResult.objects.filter(goal__parent__in=teams, metric="new-customers")
        if kr.progress < 0.3
    ]
    assert behind  # some reps are behind
    assert services.recompute_all() == []

    client.force_login(ctx.people["manager"].user)
    assert client.get(reverse("goals:list") + "?tab=team").status_code == 200
    assert client.get(reverse("goals:detail", args=[sales.pk])).status_code == 200
    assert client.get(reverse("goals:adjustments")).content.decode().count("decision") >= 2
    with django_assert_max_num_queries(20):
        assert client.get(reverse("goals:tree", args=[sales.parent_id])).status_code == 200


@pytest.mark.django_db
def test_demo_synthetic_goals():
    ctx = org_synthetic.seed_synthetic(employees=120)
    goals_seed.seed(ctx)
    root = ctx.units["company"]
    company = Goal.objects.get(owner_unit=root, level="company")
    people = len(ctx.people)
    # Four goals of three key results each per person (the scale data's 40,000 / 120,000).
    assert Goal.objects.filter(level="person").count() == 4 * people
    assert KeyResult.objects.filter(goal__level="person").count() == 12 * people
    assert Goal.objects.filter(level="unit").count() == len(ctx.units) - 1
    assert 0 < company.progress < 1
    assert services.recompute_all() == []
    # The rows loaded without the ORM are what the models would have saved: valid, with each
    # key result's stored progress its computed one, positions 0-2 in each goal.
    for goal in Goal.objects.filter(level="person").order_by("pk")[:8]:
        goal.full_clean()
        assert (goal.weight, goal.version, goal.visibility) == (1, 1, Goal.Visibility.PUBLIC)
        krs = list(goal.key_results.all())
        assert [kr.position for kr in krs] == [0, 1, 2]
        for kr in krs:
            kr.full_clean()
            assert kr.progress == pytest.approx(kr.compute_progress())
            assert (kr.milestones, kr.weight) == ([], 1)  # the model's defaults
        assert goal.progress == pytest.approx(sum(kr.progress for kr in krs) / 3)
    before = Goal.objects.count()
    goals_seed.seed(org_synthetic.seed_synthetic(employees=120))
    assert Goal.objects.count() == before
