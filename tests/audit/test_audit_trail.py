"""The audit trail: who, when and what for every audited kind, scoped to admins (everything)
and HRBPs (the units they partner); 404 for everyone else; filters; the CSV/XLSX export."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from dashboard.audit import KINDS

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def entries(api, person, **params):
    response = api.as_(person).get("/api/v1/audit/", {"page_size": 500, **params})
    assert response.status_code == 200, response.content
    return response.json()["results"]


def find(rows, kind, object_id, type_="changed"):
    return [
        r for r in rows if r["kind"] == kind and r["object_id"] == object_id and r["type"] == type_
    ]


def fields(row) -> dict:
    return {c["field"]: (c["old"], c["new"]) for c in row["changes"]}


def test_every_kind_records_who_when_and_what(api, company, changes):
    sales = changes["sales"]
    rows = entries(api, company["zed"])
    assert {r["kind"] for r in rows} == {kind.slug for kind in KINDS}
    now = timezone.now()
    assert all(
        now - dt.timedelta(minutes=5) < dt.datetime.fromisoformat(r["at"]) <= now for r in rows
    )

    created = find(rows, "goal", sales["goal"].pk, "created")[0]
    assert created["changed_by_name"] == "Bob" and created["unit_name"] == "Field team"
    assert fields(created)["title"] == ("", "Win new customers")
    agreed = [r for r in find(rows, "goal", sales["goal"].pk) if "state" in fields(r)]
    assert {(r["changed_by_name"], fields(r)["state"]) for r in agreed} == {
        ("Bob", ("Draft", "Proposed")),
        ("Alice", ("Proposed", "Agreed")),
    }

    (kr,) = find(rows, "key_result", sales["kr"].pk)
    assert kr["changed_by_name"] == "Bob" and fields(kr)["target_value"] == ("45", "40")
    assert kr["reason"].startswith("adjustment")

    adjustment = find(rows, "adjustment", sales["adjustment"].pk)[0]
    assert adjustment["changed_by_name"] == "Bob"
    assert fields(adjustment)["state"] == ("Pending", "Approved")
    assert fields(adjustment)["decided_by"] == ("", "Bob")
    assert (
        find(rows, "adjustment", sales["adjustment"].pk, "created")[0]["changed_by_name"] == "Alice"
    )

    (budget,) = find(rows, "budget", sales["budget"].pk)
    assert budget["changed_by_name"] == "Bob" and fields(budget)["committed"] == ("0", "1200")
    assert budget["unit_name"] == "Sales"

    (request,) = find(rows, "resource_request", sales["request"].pk)
    assert request["changed_by_name"] == "Bob"
    assert fields(request)["state"] == ("Submitted", "Approved")
    assert "priority_score" not in fields(request)

    (rule,) = find(rows, "incentive_rule", sales["rule"].pk)
    assert rule["changed_by_name"] == "Carol" and fields(rule)["cap"] == ("", "1500")

    (award,) = find(rows, "award", sales["award"].pk)
    assert award["changed_by_name"] == "Carol"
    assert fields(award)["state"] == ("Proposed", "Approved")
    assert fields(award)["approved_by"] == ("", "Carol")
    assert find(rows, "award", sales["award"].pk, "created")[0]["changed_by_name"] == "system"


def test_newest_first(api, company, changes):
    rows = entries(api, company["zed"])
    stamps = [r["at"] for r in rows]
    assert stamps == sorted(stamps, reverse=True)
    assert rows[0]["kind"] == "budget" and rows[0]["object_id"] == changes["marketing"]["budget"].pk


def test_admin_sees_every_unit_and_the_hrbp_only_the_units_they_partner(api, company, changes):
    marketing_goal = changes["marketing"]["goal"].pk
    marketing_budget = changes["marketing"]["budget"].pk
    admin = entries(api, company["zed"])
    assert find(admin, "goal", marketing_goal, "created")
    assert find(admin, "budget", marketing_budget, "created")
    hrbp = entries(api, company["carol"])
    assert {r["kind"] for r in hrbp} == {kind.slug for kind in KINDS}
    assert not find(hrbp, "goal", marketing_goal, "created")
    assert not find(hrbp, "budget", marketing_budget, "created")
    assert {r["unit_name"] for r in hrbp} <= {"Sales", "Field team"}
    assert len(hrbp) < len(admin)


@pytest.mark.parametrize("who", ["alice", "bob", "mia", "dave"])
def test_everyone_else_gets_404(api, login, company, changes, who):
    person = company[who]
    assert api.as_(person).get("/api/v1/audit/").status_code == 404
    client = login(person)
    assert client.get("/dashboard/audit/").status_code == 404
    assert client.get("/dashboard/audit/export.csv").status_code == 404


def test_anonymous_is_refused(api, client, changes):
    assert api.get("/api/v1/audit/").status_code in (401, 403)
    assert client.get("/dashboard/audit/").status_code == 302


def test_filters(api, company, changes):
    zed, sales = company["zed"], changes["sales"]
    budgets = entries(api, zed, kind="budget")
    assert {r["kind"] for r in budgets} == {"budget"} and len(budgets) == 3
    marketing = entries(api, zed, unit=company["marketing"].pk)
    assert {r["unit_name"] for r in marketing} == {"Marketing"}
    by_carol = entries(api, zed, changed_by=company["carol"].pk)
    assert {r["changed_by_name"] for r in by_carol} == {"Carol"}
    assert {r["kind"] for r in by_carol} == {"incentive_rule", "award"}
    today = timezone.localdate()
    assert entries(api, zed, date_from=today.isoformat(), date_to=today.isoformat())
    assert entries(api, zed, date_to=(today - dt.timedelta(days=1)).isoformat()) == []
    assert entries(api, zed, date_from=(today + dt.timedelta(days=1)).isoformat()) == []
    assert sales["goal"].pk in {r["object_id"] for r in entries(api, zed, kind="goal")}
    assert entries(api, zed, date_from="0001-01-01", date_to="9999-12-31")


@pytest.mark.parametrize(
    "params, field",
    [
        ({"kind": "lesson"}, "kind"),
        ({"unit": "abc"}, "unit"),
        ({"changed_by": "999999"}, "changed_by"),
        ({"date_from": "2026-13-01"}, "date_from"),
        ({"date_from": "2026-11-02", "date_to": "2026-11-01"}, "date_to"),
    ],
)
def test_bad_filters_are_400_with_field_errors(api, company, changes, params, field):
    response = api.as_(company["zed"]).get("/api/v1/audit/", params)
    assert response.status_code == 400 and field in response.json()


def test_hrbp_cannot_filter_on_a_unit_outside_their_scope(api, company, changes):
    response = api.as_(company["carol"]).get("/api/v1/audit/", {"unit": company["marketing"].pk})
    assert response.status_code == 400 and "unit" in response.json()


def test_page_lists_changes_with_filters_and_htmx_partial(login, company, changes):
    client = login(company["carol"])
    page = client.get("/dashboard/audit/").content.decode()
    assert "Audit trail" in page and "Trade fair stand" in page and "Generate leads" not in page
    assert 'href="/dashboard/audit/"' in page  # the navigation link
    partial = client.get("/dashboard/audit/", {"kind": "incentive_rule"}, **HX).content.decode()
    assert "<html" not in partial and "Sales bonus" in partial and "Trade fair stand" not in partial
    bad = client.get("/dashboard/audit/", {"date_from": "nope"}).content.decode()
    assert "Correct the filters" in bad


def test_navigation_links_the_audit_for_admins_and_hrbps_only(login, company):
    assert 'href="/dashboard/audit/"' in login(company["zed"]).get("/").content.decode()
    assert 'href="/dashboard/audit/"' in login(company["carol"]).get("/").content.decode()
    assert 'href="/dashboard/audit/"' not in login(company["bob"]).get("/").content.decode()
    assert 'href="/dashboard/audit/"' not in login(company["alice"]).get("/").content.decode()


def test_csv_export_has_one_row_per_changed_field(login, company, changes):
    client = login(company["carol"])
    response = client.get("/dashboard/audit/export.csv", {"kind": "incentive_rule"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert header == [
        "When", "Changed by", "Kind", "Object ID", "Object", "Unit", "Action", "Field",
        "Old value", "New value", "Reason", "Source",
    ]  # fmt: skip
    rule = changes["sales"]["rule"]
    changed = [r for r in body if r[6] == "changed"]
    assert changed == [[changed[0][0], "Carol", "Incentive rule", str(rule.pk), "Sales bonus",
                        "Sales", "changed", "Cap per person", "", "1500", "", ""]]  # fmt: skip
    created = [r for r in body if r[6] == "created"]
    assert {r[7] for r in created} >= {"Name", "Scope", "Period", "Kind", "Parameters"}
    assert all(r[1] == "Carol" and r[3] == str(rule.pk) for r in created)
    assert client.get("/dashboard/audit/export.csv", {"unit": "x"}).status_code == 400


def test_xlsx_export_of_the_filtered_rows(login, company, changes):
    response = login(company["zed"]).get("/dashboard/audit/export.xlsx", {"kind": "budget"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[0][0] == "When" and {row[2] for row in values[1:]} == {"Budget"}
    assert any(row[7] == "Committed" and row[9] == "1200" for row in values[1:])


def _many_changes(company, cycle, n):
    from tests.audit.conftest import agreed_goal

    for i in range(n):
        agreed_goal(manager=company["bob"], owner=company["alice"], cycle=cycle, title=f"G{i}")


@pytest.mark.parametrize("n", [1, 10])
def test_page_and_api_queries_do_not_grow(
    api, login, company, cycle, changes, django_assert_max_num_queries, n
):
    # 3 changes per goal (created, proposed, agreed) plus its key result: 3 vs 30+ rows.
    _many_changes(company, cycle, n)
    client = login(company["carol"])
    # +2: related goals and key results are named only when the viewer may see them (one
    # query each for the page, whatever its length); units and people are two more kinds
    # (their rows and the rows before them when they are on the page).
    with django_assert_max_num_queries(40):
        assert client.get("/dashboard/audit/").status_code == 200
    api_client = api.as_(company["carol"])
    with django_assert_max_num_queries(34):
        response = api_client.get("/api/v1/audit/", {"page_size": 100})
    assert response.status_code == 200 and response.json()["count"] >= 3 * n


def test_export_chunks_continue_where_the_last_one_stopped(company, changes):
    from dashboard.audit import audit_log

    log = audit_log(viewer=company["zed"])
    everything = log[0 : log.count()]
    chunked = [e for chunk in log.chunks(size=2) for e in chunk]
    assert [(e.kind, e.history_id) for e in chunked] == [(e.kind, e.history_id) for e in everything]
    assert len(everything) == log.count() >= 20


def test_page_shows_changes_in_words_not_internals(login, company, changes):
    """The page (not the API) shows verbose labels, names, grouped numbers and formatted
    times: no field names, ids, ISO stamps or JSON."""
    import re

    html = login(company["zed"]).get("/dashboard/audit/").content.decode()
    body = html[html.index('id="audit-results"') :]
    text = " ".join(re.sub(r"<[^>]+>", " ", body).split())
    assert "Decided by: — → Bob" in text
    assert "Committed: 0 → 1,200" in text
    assert "Tiers: (Threshold: 1, Amount: 1,000); (Threshold: 1.2, Amount: 2,000)" in text
    for internal in ("decided_by", "target_value", '{"', "[{", ".0000"):
        assert internal not in text, internal
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text), "an ISO date on the page"
    assert not re.search(r"#\d+", text), "an id on the page"
    # Narrow screens show one card per change, each cell labelled.
    assert 'class="audit cards-sm"' in html and 'data-label="What"' in html
