"""The rule form shows only the chosen kind's parameters (a static script toggles them; no
inline script), and the form and the API share one validator per kind."""

import re

import pytest

pytestmark = pytest.mark.django_db

BASE = {
    "name": "Commission",
    "period": "month",
    "currency": "CNY",
    "min_check_in_rate": "0",
    "min_tenure_days": "0",
    "is_active": "on",
}


def shown_params(page: str) -> dict[str, bool]:
    """data-kinds wrapper → whether it is visible, keyed by the field name inside it."""
    result = {}
    for attrs, inner in re.findall(
        r'<(?:div|fieldset) class="field"([^>]*)>(.*?)</(?:div|fieldset)>', page, re.S
    ):
        if "data-kinds" not in attrs:
            continue
        name = re.search(r'name="([a-z_]+)"', inner)
        result[name.group(1) if name else "?"] = " hidden" not in attrs
    return result


def test_only_the_chosen_kinds_parameters_are_shown(login, company):
    client = login(company["zed"])
    page = client.get("/incentives/rules/new/").content.decode()
    shown = shown_params(page)
    assert shown["rate"] is False and shown["vesting_periods"] is False
    assert (
        'id="tiers-box" data-kinds="tiered_bonus"' in page
        and 'id="tiers-box" data-kinds="tiered_bonus" hidden' not in page
    )
    assert "js/incentive-rule-form.js" in page
    assert "<script>" not in page  # CSP: no inline scripts
    # a commission with errors comes back showing the commission's parameters only
    form = BASE | {"unit": company["sales"].pk, "kind": "commission", "rate": "7", "metric": ""}
    page = client.post("/incentives/rules/new/", form).content.decode()
    shown = shown_params(page)
    assert shown["rate"] and shown["metric"] and shown["value_per_unit"]
    assert not shown["vesting_periods"] and not shown["top_n"]
    assert "The rate must be above 0 and at most 1 (e.g. 0.03)." in page
    assert "Name the key result metric, e.g. new-customers." in page


def test_form_and_api_give_the_same_messages(api, login, company):
    form = BASE | {"unit": company["sales"].pk, "kind": "commission", "rate": "7", "metric": ""}
    page = login(company["zed"]).post("/incentives/rules/new/", form).content.decode()
    response = api.as_(company["zed"]).post(
        "/api/v1/incentive-rules/",
        {
            "name": "Commission",
            "unit": company["sales"].pk,
            "period": "month",
            "kind": "commission",
            "params": {"rate": 7, "metric": ""},
        },
        format="json",
    )
    assert response.status_code == 400
    for key in ("params.rate", "params.metric"):
        [message] = response.data[key]
        assert str(message) in page
