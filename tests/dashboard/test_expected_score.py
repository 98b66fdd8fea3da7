"""Where dashboards show goal progress, they show what it is expected to reach: the employee
home's "my goals" and the OKR board's cards say "Committed · expected 1.0" or
"Aspirational · expected 0.7" (GoalSettings), translated."""

from django.urls import reverse

from goals.models import Goal


def _card(page: str, title: str) -> str:
    start = page.rindex("<article", 0, page.index(title))
    return page[start : page.index("</article>", start)]


def _home_row(page: str, title: str) -> str:
    start = page.rindex("<tr>", 0, page.index(title))
    return page[start : page.index("</tr>", start)]


def test_home_my_goals_show_commitment_and_expected_score(login, company, make_goal):
    make_goal(company["alice"], title="Win 60 customers", commitment="aspirational")
    make_goal(company["alice"], title="Win 45 customers")
    page = login(company["alice"]).get(reverse("home")).content.decode()
    assert "Aspirational · expected 0.7" in _home_row(page, "Win 60 customers")
    assert "Committed · expected 1.0" in _home_row(page, "Win 45 customers")


def test_board_cards_show_commitment_and_expected_score(login, company, quarter, make_goal):
    make_goal(
        company["alice"],
        title="Win 60 customers",
        commitment="aspirational",
        state=Goal.State.AGREED,
    )
    make_goal(company["erin"], title="Win 45 customers", state=Goal.State.AGREED)
    page = login(company["bob"]).get(reverse("dashboard:board"), {"cycle": quarter.pk})
    page = page.content.decode()
    assert "Aspirational · expected 0.7" in _card(page, "Win 60 customers")
    assert "Committed · expected 1.0" in _card(page, "Win 45 customers")


def test_expected_score_in_chinese(login, company, quarter, make_goal):
    make_goal(company["alice"], title="Win 60 customers", commitment="aspirational")
    company["alice"].language = "zh-hans"
    company["alice"].save()
    client = login(company["alice"])
    home = client.get(reverse("home")).content.decode()
    assert "预期 0.7" in _home_row(home, "Win 60 customers")
    board = client.get(reverse("dashboard:board"), {"cycle": quarter.pk}).content.decode()
    assert "预期 0.7" in _card(board, "Win 60 customers")
