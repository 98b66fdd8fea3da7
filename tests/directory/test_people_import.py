"""Bulk people import: every error row by row, nothing imported unless every row passes,
"apply what is valid" only when confirmed, HRBPs only for the units they partner, and every
change in the org history with "import" as its source."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from directory import imports
from org.models import Person

HEADER = "username,name,email,unit,manager,title,level,hire_date,time_zone,language\n"
GOOD = (
    HEADER
    + "li.lei,李雷,li.lei@example.com,Acme/Sales,bob,Lead,manager,2024-01-02,"
    + "Asia/Shanghai,zh-hans\n"
    + "han.mei,韩梅梅,han.mei@example.com,Acme/Sales/Field team,li.lei,Rep,frontline,"
    + "2024-02-03,Asia/Shanghai,zh_Hans\n"
)
BAD = (
    HEADER
    + "li.lei,李雷,li.lei@example.com,Acme/Sales,bob,Lead,manager,2024-01-02,Asia/Shanghai,en\n"
    + "x1,,not-an-email,Acme/Nowhere,ghost,,boss,02/03/2024,Mars/Base,fr\n"
    + "han.mei,韩梅梅,han.mei@example.com,Acme/Sales/Field team,x1,Rep,frontline,,UTC,en\n"
)


def _upload(text, name="people.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def _post(client, text, **options):
    data = {"file": _upload(text), "dry_run": "", **options}
    return client.post(reverse("directory:import"), data)


def test_a_valid_file_creates_people_with_managers_units_and_history(login, company):
    client = login(company["carol"])
    response = _post(client, GOOD)
    assert response.status_code == 200
    assert "2 people added" in response.content.decode()
    li = Person.objects.get(user__username="li.lei")
    han = Person.objects.get(user__username="han.mei")
    assert (li.unit, li.manager, li.level) == (company["sales"], company["bob"], "manager")
    assert (han.unit, han.manager, han.language) == (company["field"], li, "zh-hans")
    assert han.user.email == "han.mei@example.com" and str(han.hired_on) == "2024-02-03"
    assert not han.user.has_usable_password()
    history = li.history.order_by("history_id")
    assert {h.history_change_reason for h in history} == {"import"}
    assert {h.history_user_id for h in history} == {company["carol"].user_id}


def test_dry_run_imports_nothing(login, company):
    response = _post(login(company["zed"]), GOOD, dry_run="on")
    assert "2 people would be added" in response.content.decode()
    assert not Person.objects.filter(user__username__in=["li.lei", "han.mei"]).exists()


def test_bad_rows_answer_with_every_error_row_by_row_and_import_nothing(login, company):
    client = login(company["zed"])
    response = _post(client, BAD)
    html = response.content.decode()
    assert "Nothing imported" in html
    assert not Person.objects.filter(user__username__in=["li.lei", "han.mei", "x1"]).exists()
    report = list(
        csv.reader(
            io.StringIO(client.get(reverse("directory:import-errors")).content.decode("utf-8-sig"))
        )
    )
    cells = {(row, column) for row, column, _message in report[1:]}
    assert {
        ("3", "name"),
        ("3", "email"),
        ("3", "unit"),
        ("3", "manager"),
        ("3", "level"),
        ("3", "hire_date"),
        ("3", "time_zone"),
        ("3", "language"),
        ("4", "manager"),
    } == cells
    messages = {(row, column): message for row, column, message in report[1:]}
    assert messages[("3", "unit")] == "No unit at “Acme/Nowhere”."
    assert messages[("4", "manager")] == "The manager's row has errors."


def test_apply_valid_needs_confirmation_then_imports_only_the_valid_rows(login, company):
    client = login(company["zed"])
    response = _post(client, BAD, apply_valid="on")
    assert "Confirm that the rows with errors are left out" in response.content.decode()
    assert not Person.objects.filter(user__username="li.lei").exists()
    response = _post(client, BAD, apply_valid="on", confirm="on")
    assert "1 people added" in response.content.decode()
    assert Person.objects.filter(user__username="li.lei").exists()
    assert not Person.objects.filter(user__username__in=["x1", "han.mei"]).exists()


def test_a_known_username_updates_the_person_and_keeps_their_goals(login, company, make_goal):
    alice = company["alice"]
    goal = make_goal(alice)
    text = HEADER + "alice,Alice Moved,alice@new.example.com,Acme/Sales,bob,Senior rep,,,,\n"
    response = _post(login(company["zed"]), text)
    assert "1 updated" in response.content.decode()
    alice.refresh_from_db()
    assert (alice.display_name, alice.unit, alice.title) == (
        "Alice Moved",
        company["sales"],
        "Senior rep",
    )
    assert alice.user.email == "alice@new.example.com"
    goal.refresh_from_db()
    assert goal.owner_person_id == alice.pk


def test_an_hrbp_imports_only_into_the_units_they_partner(login, company):
    text = HEADER + "new.one,New One,,Acme/Marketing,,,,,,\n" + "dave,Dave,,Acme/Sales,,,,,,\n"
    response = _post(login(company["carol"]), text)
    report = {(e.row, e.column) for e in response.context["result"].errors}
    assert report == {(2, "unit"), (3, "username")}
    assert not Person.objects.filter(user__username="new.one").exists()


def test_people_without_an_hr_role_cannot_open_the_import(login, company):
    client = login(company["alice"])
    assert client.get(reverse("directory:import")).status_code == 404
    assert client.post(reverse("directory:import"), {"file": _upload(GOOD)}).status_code == 404
    assert client.get(reverse("directory:import-template")).status_code == 404


def test_xlsx_files_are_read_too(login, company):
    book = Workbook()
    sheet = book.active
    for line in GOOD.strip().splitlines():
        sheet.append(line.split(","))
    buffer = io.BytesIO()
    book.save(buffer)
    upload = SimpleUploadedFile("people.xlsx", buffer.getvalue())
    response = login(company["zed"]).post(reverse("directory:import"), {"file": upload})
    assert "2 people added" in response.content.decode()


def test_a_file_without_the_required_columns_is_refused(login, company):
    response = _post(login(company["zed"]), "username,email\nx,x@example.com\n")
    assert "Missing columns: name, unit." in response.content.decode()


def test_the_template_is_a_valid_header(login, company):
    response = login(company["zed"]).get(reverse("directory:import-template"))
    header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header == imports.COLUMNS


@pytest.mark.parametrize("people", [3, 30])
def test_import_query_count_grows_with_rows_not_with_the_organisation(
    login, company, django_assert_max_num_queries, people
):
    """The check reads the organisation once; the bound is per row written (each person is
    a user, a person and their history rows, and the read models a new person counts in:
    their alignment findings and their unit's check-in weeks), never per person already in
    Keel."""
    client = login(company["zed"])
    rows = "".join(f"p{i},P {i},,Acme/Sales,bob,,,,,\n" for i in range(people))
    with django_assert_max_num_queries(40 + 40 * people):
        response = _post(client, HEADER + rows)
    assert f"{people} people added" in response.content.decode()
