"""Query bounds of the two write paths the benchmark measures: a check-in submitted with five
key results and a measurement pushed over the API. Their cost is per key result written, never
per level of the cascade above it (the chains are read with one recursive query and recomputed
in memory), per row of history or per colleague: the same count with 3 or 30 colleagues under
the same parent goal and 3 or 30 weeks of measurements, and under two levels or five."""

import datetime as dt
import re
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from goals.models import Measurement
from goals.services import record_measurement
from tests.factories import PersonFactory, UserFactory
from tests.tracking.factories import person_goal, unit_goal

pytestmark = pytest.mark.django_db


def _surroundings(company, cycle, parent, n: int, kr) -> None:
    """`n` colleagues with goals under the same parent, and `n` past measurements of `kr`."""
    for i in range(n):
        person = PersonFactory(
            user=UserFactory(username=f"colleague{n}-{i}"),
            unit=company["field"],
            manager=company["bob"],
        )
        person_goal(person, cycle, names=("Customers", "Calls"), parent=parent)
    start = dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC)
    Measurement.objects.bulk_create(
        Measurement(
            key_result=kr,
            value=i,
            effective_at=start + dt.timedelta(hours=i),
            recorded_at=start + dt.timedelta(hours=i),
        )
        for i in range(n)
    )


def _five_key_result_goals(company, cycle):
    """Alice's and Erin's goals of five key results under Sales' goal, under Acme's."""
    top = unit_goal(company["acme"], cycle, title="Grow")
    sales = unit_goal(company["sales"], cycle, parent=top, title="Win")
    krs = {
        name: list(
            person_goal(
                company[name], cycle, names=("A", "B", "C", "D", "E"), parent=sales
            ).key_results.order_by("position")
        )
        for name in ("alice", "erin")
    }
    return sales, krs


class Counted(int):
    """A query count that keeps its statements: a failed comparison shows what differs."""

    sql: list[str]

    def __new__(cls, statements: list[str]):
        count = super().__new__(cls, len(statements))
        count.sql = statements
        return count


def _shape(sql: str) -> str:
    return re.sub(r"\d+", "N", sql)[:160]


def _differing(a: Counted, b: Counted) -> str:
    """The statements (numbers masked) one run made more often than the other."""
    left, right = Counter(map(_shape, a.sql)), Counter(map(_shape, b.sql))
    return "\n".join(
        [f"+{n} first: {s}" for s, n in (left - right).items()]
        + [f"+{n} second: {s}" for s, n in (right - left).items()]
    )


def _count(fn) -> Counted:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return Counted([q["sql"] for q in ctx.captured_queries])


def _submit(api, person, krs) -> int:
    client = api.as_(person)
    pk = client.post("/api/v1/check-ins/current/", {}, format="json").json()["id"]
    body = {
        "updates": [
            {"key_result": kr.pk, "value": str(15 + i), "confidence": "on_track"}
            for i, kr in enumerate(krs)
        ]
    }

    def submit():
        r = client.post(f"/api/v1/check-ins/{pk}/submit/", body, format="json")
        assert r.status_code == 200, r.content

    return _count(submit)


def test_check_in_submit_with_five_key_results(api, company, cycle):
    sales, krs = _five_key_result_goals(company, cycle)
    # A first submission of the same shape (five key results under the same cascade) fills
    # whatever a process keeps between requests, so both measured ones start equally warm
    # whatever the tests before left (CI once counted the first measured one a query dearer).
    warm = person_goal(company["dave"], cycle, names=("A", "B", "C", "D", "E"), parent=sales)
    _submit(api, company["dave"], list(warm.key_results.order_by("position")))
    # The week's first check-in in the field team creates its unit × week rollup row (three
    # queries more: insert, lock again, the headcount); the measured ones update it.
    first = PersonFactory(user=UserFactory(username="first-in-field"), unit=company["field"])
    first_goal = person_goal(first, cycle, names=("A",))
    _submit(api, first, list(first_goal.key_results.all()))
    _surroundings(company, cycle, sales, 3, krs["alice"][0])
    small = _submit(api, company["alice"], krs["alice"])
    _surroundings(company, cycle, sales, 30, krs["erin"][0])
    large = _submit(api, company["erin"], krs["erin"])
    # With the read models of the goals touched (goals.rollups) and the check-in's unit × week
    # row (tracking.week_rollups: lock, recompute, write). 72 while the goals' progress was
    # recomputed one query per goal per level.
    assert small == large, _differing(small, large)
    assert large <= 63, "\n".join(map(_shape, large.sql))
    assert Measurement.objects.filter(source="check_in").count() == 16  # 5 + 1 warming, 5 + 5


def _push(api, person, kr, value) -> int:
    client = api.as_(person)

    def push():
        r = client.post(
            f"/api/v1/key-results/{kr.pk}/measurements/",
            {"value": value, "note": "from the CRM"},
            format="json",
        )
        assert r.status_code == 201, r.content

    return _count(push)


def test_measurement_push(api, company, cycle):
    sales, krs = _five_key_result_goals(company, cycle)
    _surroundings(company, cycle, sales, 3, krs["alice"][0])
    small = _push(api, company["alice"], krs["alice"][0], "12")
    _surroundings(company, cycle, sales, 30, krs["alice"][0])
    large = _push(api, company["alice"], krs["alice"][0], "13")
    # with the lock of the key results it rolls up into, and the read models (goals.rollups);
    # 41 while the goals' progress was recomputed one query per goal per level
    assert small == large, _differing(small, large)
    assert large <= 32, "\n".join(map(_shape, large.sql))


def test_record_measurement_cost_does_not_grow_with_history_or_siblings(company, cycle):
    """The service alone: one key result, three levels above it; history length and the
    number of siblings do not change the count."""
    sales, krs = _five_key_result_goals(company, cycle)
    first = _count(lambda: record_measurement(key_result=krs["alice"][0], value=3, source="api"))
    _surroundings(company, cycle, sales, 30, krs["alice"][0])
    second = _count(lambda: record_measurement(key_result=krs["alice"][0], value=4, source="api"))
    assert first == second, _differing(first, second)


def _cascade_of(company, cycle, units: tuple[str, ...], name: str):
    """Alice's goal of one key result under a goal of each of these units, the first on top."""
    parent = None
    for unit in units:
        parent = unit_goal(company[unit], cycle, parent=parent, title=f"{name} {unit}")
    goal = person_goal(company["alice"], cycle, names=(name,), parent=parent)
    return goal.key_results.get()


def test_record_measurement_cost_does_not_grow_with_the_cascade_depth(company, cycle):
    """The chains are read with one recursive query and recomputed in memory: a value at the
    bottom of five levels costs what it costs at the bottom of two."""
    warm = _cascade_of(company, cycle, ("acme",), "warm")
    record_measurement(key_result=warm, value=1, source="api")  # settings rows, content types
    shallow = _cascade_of(company, cycle, ("acme",), "shallow")
    deep = _cascade_of(company, cycle, ("acme", "sales", "field", "marketing"), "deep")
    two = _count(lambda: record_measurement(key_result=shallow, value=3, source="api"))
    five = _count(lambda: record_measurement(key_result=deep, value=3, source="api"))
    assert two == five, _differing(two, five)
