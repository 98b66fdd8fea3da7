"""The alignment findings table (issue 18): kept on write equal to what the checklist computes
from scratch, rebuilt by `rebuild_rollups` with its drift reported."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import translation

from goals.models import AlignmentFinding, Goal, KeyResult
from goals.selectors_alignment import alignment_checklist, review_findings, review_task_forces
from goals.services import alignment_findings
from tests.dashboard.conftest import cascade  # noqa: F401
from tests.factories import PersonFactory
from tests.goals.conftest import kr


def _checked(unit, cycle) -> list[tuple]:
    """The review as the checklist computes it from scratch."""
    with translation.override("en"):
        _scope, items = alignment_checklist(unit=unit, cycle=cycle)
    return sorted(
        (item.key, f.goal.pk if f.goal else None, f.unit.pk if f.unit else None, f.message)
        for item in items
        for f in item.findings
    )


def _stored(unit, cycle) -> list[tuple]:
    """The review as the findings table holds it."""
    rows = review_findings(unit=unit, cycle=cycle, task_forces=review_task_forces(unit))
    return sorted((r.kind, r.goal_id, r.unit_id, r.text("en")) for r in rows)


@pytest.fixture
def busy_cascade(company, year, quarter, cascade, make_goal, django_capture_on_commit_callbacks):  # noqa: F811
    """The cascade with a finding of every kind, written through the services and saves."""
    with django_capture_on_commit_callbacks(execute=True):
        churn = make_goal(
            company["acme"],
            title="Cut churn to 5 %",
            level=Goal.Level.COMPANY,
            cycle=year,
            state=Goal.State.AGREED,
        )
        make_goal(company["alice"], title="Write 12 customer case studies", state="agreed")
        vague = make_goal(company["erin"], title="Better", parent=cascade["sales"], key_results=[])
        heavy = make_goal(
            company["dave"],
            title="Publish 12 articles",
            parent=cascade["company"],
            weight=Decimal("30"),
            key_results=[kr("10", name="Articles", weight=Decimal("2")), kr("5", name="Talks")],
        )
        sales_kr = KeyResult.objects.get(goal=cascade["sales"])
        sales_kr.due_on = dt.date(2026, 11, 30)
        sales_kr.save()
        alice_kr = KeyResult.objects.get(goal=cascade["alice"])
        alice_kr.due_on = dt.date(2026, 12, 20)
        alice_kr.save()
        PersonFactory(unit=company["marketing"], manager=company["mia"])
        cascade["erin"].supports.add(churn)
    return {**cascade, "churn": churn, "vague": vague, "heavy": heavy}


UNITS = ("acme", "sales", "field", "marketing", "hr")


def test_the_table_holds_what_the_checklist_computes(company, quarter, busy_cascade):
    for name in UNITS:
        assert _stored(company[name], quarter) == _checked(company[name], quarter), name
    kinds = {row[0] for row in _stored(company["acme"], quarter)}
    assert kinds >= {"orphans", "cascade_gaps", "not_agreed", "no_goals", "weights"}
    assert kinds >= {"late_children", "smart", "cross_unit"}
    assert alignment_findings.rebuild(fix=False) == []


def test_writes_recompute_the_goal_its_parent_and_children(
    company, quarter, busy_cascade, django_capture_on_commit_callbacks
):
    sales = busy_cascade["sales"]
    # A child's key result: the parent's cascade gap moves (in the same transaction).
    alice_kr = KeyResult.objects.get(goal=busy_cascade["alice"])
    alice_kr.target_value = Decimal("155")
    alice_kr.save()
    assert not AlignmentFinding.objects.filter(goal=sales, kind="cascade_gaps").exists()
    # Re-parented: the old parent's children change, and the goal is no longer an orphan.
    with django_capture_on_commit_callbacks(execute=True):
        goal = busy_cascade["vague"]
        goal.parent = None
        goal.save()
        erin = busy_cascade["erin"]
        erin.state = Goal.State.PROPOSED
        erin.save()
        busy_cascade["erin"].supports.clear()
        Goal.objects.get(pk=busy_cascade["heavy"].pk).delete()
    for name in UNITS:
        assert _stored(company[name], quarter) == _checked(company[name], quarter), name
    assert alignment_findings.rebuild(fix=False) == []


def test_rebuild_reports_and_repairs_drift(company, quarter, busy_cascade, capsys):
    AlignmentFinding.objects.filter(kind="orphans").delete()
    AlignmentFinding.objects.filter(kind="no_goals").update(message={"en": "stale"})
    drift = alignment_findings.rebuild(fix=False)
    assert {(d.row.kind, d.stored) for d in drift} == {
        ("orphans", False),
        ("no_goals", True),
        ("no_goals", False),
    }
    with pytest.raises(SystemExit):
        call_command("rebuild_rollups", "--check")
    assert "finding missing" in capsys.readouterr().out
    call_command("rebuild_rollups")
    call_command("rebuild_rollups", "--check")
    assert _stored(company["acme"], quarter) == _checked(company["acme"], quarter)


def test_findings_are_worded_in_the_readers_language(company, quarter, busy_cascade):
    row = AlignmentFinding.objects.filter(kind="cascade_gaps").get()
    assert "a gap of 110" in row.text("en")
    with translation.override("zh-hans"):
        assert row.text() != row.text("en")


def _reference(cycle) -> list[tuple]:
    """The goal-level and person-level findings of a cycle as the review computes them from
    model instances (`load_scope` over the whole organisation, every check in every language):
    the rebuild computes them from rows."""
    from django.conf import settings

    from goals.selectors_alignment import load_scope
    from org.models import Unit

    scope = load_scope(unit=Unit(path=""), cycle=cycle)
    checks = [(k, c, False) for k, c in alignment_findings.GOAL_CHECKS]
    checks += [(k, c, True) for k, c in alignment_findings.PERSON_CHECKS]
    worded = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            worded[language] = [(k, f, mine) for k, check, mine in checks for f in check(scope)]
    found = []
    for n, (kind, f, of_person) in enumerate(worded["en"]):
        person = (f.person.pk if f.person else f.goal.owner_person_id) if of_person else None
        messages = tuple(sorted((lang, rows[n][1].message) for lang, rows in worded.items()))
        found.append((kind, f.goal.pk if f.goal else None, person, messages))
    return sorted(found)


def _computed(cycle) -> list[tuple]:
    return sorted(
        (r["kind"], r["goal_id"], r.get("person_id"), tuple(sorted(r["message"].items())))
        for r in alignment_findings.compute_fields(cycle)
        if r["kind"] != alignment_findings.CROSS_UNIT
    )


def test_the_rebuild_from_rows_finds_what_the_checks_find_on_model_instances(
    company, year, quarter, busy_cascade, make_goal
):
    # SMART edge cases: a Chinese title long enough, a key result due outside the cycle (since
    # the dates moved: written directly), a closed parent in another cycle.
    make_goal(company["bob"], title="提升客户满意度", parent=busy_cascade["sales"])
    late = make_goal(company["carol"], title="Ship the Q3 release", key_results=[kr("3")])
    KeyResult.objects.filter(goal=late).update(due_on=dt.date(2027, 3, 1))
    stray = make_goal(company["acme"], title="Grow 20 %", level=Goal.Level.COMPANY)
    child = make_goal(company["zed"], title="Grow the company 20 %", parent=stray)
    Goal.objects.filter(pk=stray.pk).update(cycle=year)
    Goal.objects.filter(pk=child.parent_id).update(state=Goal.State.CLOSED)
    make_goal(company["dave"], title="Follow up the growth", parent=busy_cascade["heavy"])
    for cycle in (quarter, year):
        assert _computed(cycle) == _reference(cycle)
    assert {k for k, *_ in _computed(quarter)} >= {"orphans", "smart", "no_goals", "weights"}


def test_a_save_recomputes_only_the_neighbours_it_can_move(
    company, quarter, busy_cascade, django_capture_on_commit_callbacks, monkeypatch
):
    """A goal's children read its title, cycle and key-result due dates; its parent reads its
    existence, closing and key results (issue 18: saving a department goal recomputed its 54
    children whatever changed). Each save leaves the table equal to a rebuild."""
    recomputed: list[set] = []
    real = alignment_findings.recompute_goals
    monkeypatch.setattr(
        alignment_findings, "recompute_goals", lambda ids: (recomputed.append(set(ids)), real(ids))
    )

    def save(obj, **changes) -> set:
        recomputed.clear()
        obj = type(obj).objects.get(pk=obj.pk)
        for field, value in changes.items():
            setattr(obj, field, value)
        with django_capture_on_commit_callbacks(execute=True):
            obj.save()
        assert alignment_findings.rebuild(fix=False) == [], changes
        return set().union(*recomputed)

    sales, alice, erin = busy_cascade["sales"], busy_cascade["alice"], busy_cascade["erin"]
    assert save(sales, weight=Decimal("3")) == {sales.pk}
    assert save(sales, state=Goal.State.PROPOSED) == {sales.pk}
    # The children due after Sales' goal (their findings name its title): all of them, Sales'
    # key result is due early; once it is due at the end of the quarter, none.
    late = {alice.pk, erin.pk, busy_cascade["vague"].pk}
    assert save(sales, title="Win 200 new customers this quarter") == {sales.pk, *late}
    assert save(erin, state=Goal.State.CLOSED) == {erin.pk, sales.pk}
    assert save(erin, state=Goal.State.AGREED) == {erin.pk, sales.pk}
    sales_kr = KeyResult.objects.get(goal=sales)
    assert save(sales_kr, name="Customers won") == {sales.pk}
    assert save(sales_kr, due_on=dt.date(2026, 12, 31)) >= {sales.pk, *late}
    assert save(sales, title="Win 200 new customers") == {sales.pk}
    alice_kr = KeyResult.objects.get(goal=alice)
    assert save(alice_kr, target_value=Decimal("60")) == {alice.pk, sales.pk}
    assert save(alice, parent=None) >= {alice.pk, sales.pk}
