"""The This-week page draws each key result's recent history as an inline SVG sparkline: one
point per week (that week's last measurement), oldest first; none without a history."""

import datetime as dt
from decimal import Decimal

from django.urls import reverse

from goals.services import record_measurement


def _at(day: int, hour: int = 12) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, tzinfo=dt.UTC)


def test_this_week_page_renders_the_sparkline_of_a_key_results_history(company, cascade, login):
    customers = cascade["customers"]
    # weeks of Nov 2 (3, then 5: the week's last value counts), Nov 9 (12) and this week (18)
    for day, value in [(3, 3), (5, 5), (10, 12), (16, 18)]:
        record_measurement(key_result=customers, value=Decimal(value), source="api", at=_at(day, 8))
    response = login(company["alice"]).get(reverse("tracking:this-week"))
    assert response.status_code == 200
    page = response.content.decode()
    card = page[page.index(f'id="kr-{customers.pk}"') :]
    card = card[: card.index("</svg>") + len("</svg>")]
    assert '<svg class="spark" width="96" height="24"' in card
    assert 'role="img" aria-label="New customers"' in card
    # 5 → 12 → 18 across the 96 × 24 box (2 px padding): lowest at the bottom, highest on top
    assert 'points="2.0,22.0 48.0,11.2 94.0,2.0"' in card
    assert '<circle cx="94.0" cy="2.0" r="2"' in card  # today's value marked
    # the other key result has no measurements: no sparkline for it
    calls = cascade["calls"]
    other = page[page.index(f'id="kr-{calls.pk}"') :]
    other = other[: other.index('class="kr-inputs"')]
    assert "<svg" not in other
