"""The goal page's history reads as sentences in the reader's language: verbose field names,
numbers and dates formatted like the rest of the UI, people by name; the raw values stay in
the API (tests/goals/test_api.py)."""

import re

from django.urls import reverse

from goals import services
from goals.models import Goal
from org.models import Person


def _visible_text(html: str) -> str:
    """What a reader sees: the page without tags, attributes, scripts and styles."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def _history_section(html: str) -> str:
    start = html.index("<h2>History</h2>") if "<h2>History</h2>" in html else html.index("<h2>历史")
    return _visible_text(html[start : html.index("</section>", start)])


def _adjusted_goal(company, make_goal):
    alice, bob = company["alice"], company["bob"]
    goal = make_goal(
        alice,
        state=Goal.State.AGREED,
        key_results=[{"name": "New customers", "target_value": "4500", "unit": "customers"}],
    )
    kr = goal.key_results.get()
    adjustment = services.request_adjustment(
        actor=alice,
        key_result=kr,
        new_target="3600.5",
        reason="market",
        evidence="The market shrank by a fifth (market report Q3)",
    )
    services.approve_adjustment(actor=bob, adjustment=adjustment, comment="Agreed")
    return goal, kr, adjustment


def test_history_is_sentences_with_names_and_formatted_values(login, company, make_goal):
    goal, kr, adjustment = _adjusted_goal(company, make_goal)
    bob = company["bob"]
    html = login(bob).get(reverse("goals:detail", args=[goal.pk])).content.decode()
    text = " ".join(_history_section(html).split())
    assert (
        f"{bob.display_name} changed the target value of the key result “New customers”: "
        "4,500 → 3,600.5" in text
    )
    # Who decided the adjustment is a name, never an id; no field names, no raw numbers.
    assert f"{bob.display_name} changed the target adjustment 4,500 → 3,600.5" in text
    assert f"Decided by: set to {bob.display_name}" in text
    assert "(approved target adjustment: Market change)" in text
    for raw in (
        "adjustment 1",
        "decided_by",
        "target_value",
        "new_target",
        "4500.0000",
        "3600.5000",
        "_",
    ):
        assert raw not in text, raw
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text), text  # no ISO dates or stamps
    assert f"#{bob.pk}" not in text and f": {bob.pk} " not in text


def test_history_reads_in_chinese(login, company, make_goal):
    goal, _kr, _adj = _adjusted_goal(company, make_goal)
    bob = company["bob"]
    Person.objects.filter(pk=bob.pk).update(language="zh-hans")
    html = login(bob).get(reverse("goals:detail", args=[goal.pk])).content.decode()
    text = " ".join(_history_section(html).split())
    assert "修改了关键结果“New customers”的目标值：4,500 → 3,600.5" in text
    assert "changed" not in text and "created" not in text


def test_history_api_keeps_raw_values(api, company, make_goal):
    goal, kr, _adj = _adjusted_goal(company, make_goal)
    data = api.as_(company["bob"]).get(f"/api/v1/goals/{goal.pk}/history/").data
    target = next(c for e in data for c in e["changes"] if c["field"] == "target_value")
    assert (target["old"], target["new"]) == ("4500.0000", "3600.5000")
