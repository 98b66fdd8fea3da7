import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from retros import services
from retros.models import RetroAction
from tests.retros.conftest import CHAIN

DUE = dt.date(2026, 11, 30)


def save(company, retro, **overrides):
    kwargs = {
        "actor": company["bob"],
        "retrospective": retro,
        "problem": "Sales below target",
        "whys": CHAIN,
        "countermeasure": "Build the training system",
        "countermeasure_owner": company["alice"],
        "countermeasure_due_on": DUE,
    }
    kwargs.update(overrides)
    return services.save_five_why(**kwargs)


def errors_of(company, retro, **overrides) -> dict:
    with pytest.raises(ValidationError) as exc:
        save(company, retro, **overrides)
    return exc.value.message_dict


def test_the_classic_chain_of_five(company, retro):
    analysis = save(company, retro)
    levels = list(analysis.levels.order_by("position"))
    assert [lv.text for lv in levels] == CHAIN
    assert [lv.position for lv in levels] == [1, 2, 3, 4, 5]
    assert [lv.is_root_cause for lv in levels] == [False] * 4 + [True]
    assert analysis.root_cause == "The training system is incomplete"
    action = RetroAction.objects.get(five_why=analysis)
    assert action.kind == "countermeasure" and action.owner == company["alice"]
    assert action.due_on == DUE


def test_fewer_levels_only_with_a_marked_root_cause(company, retro):
    errs = errors_of(company, retro, whys=CHAIN[:3])
    assert errs["whys"] == [
        "Ask why 5 times, or mark the level where you reached the root cause to stop earlier."
    ]
    whys = [{"text": t} for t in CHAIN[:2]] + [{"text": CHAIN[2], "is_root_cause": True}]
    analysis = save(company, retro, whys=whys)
    assert analysis.levels.count() == 3 and analysis.root_cause == CHAIN[2]


def test_root_cause_must_be_last_and_unique(company, retro):
    whys = [{"text": t, "is_root_cause": i in (1, 3)} for i, t in enumerate(CHAIN)]
    assert errs_contains(errors_of(company, retro, whys=whys), "Mark only one level")
    whys = [{"text": t, "is_root_cause": i == 1} for i, t in enumerate(CHAIN)]
    assert errors_of(company, retro, whys=whys)["whys"] == [
        "The root cause must be the last level: remove the levels after why 2."
    ]


def errs_contains(errors: dict, text: str) -> bool:
    return any(text in m for msgs in errors.values() for m in msgs)


def test_empty_levels_are_refused(company, retro):
    errs = errors_of(company, retro, whys=[CHAIN[0], "  ", *CHAIN[2:]])
    assert errs["whys.2"] == ["Why 2 is empty: answer it or remove the level."]


def test_repeated_levels_are_refused(company, retro):
    errs = errors_of(company, retro, whys=[*CHAIN[:3], "low LEAD  conversion", CHAIN[4]])
    assert errs["whys.4"] == ["Why 4 repeats why 2; each answer must go one level deeper."]
    errs = errors_of(company, retro, whys=["Sales below target", *CHAIN[1:]])
    assert errs["whys.1"] == ["Why 1 only restates the problem; go one level deeper."]


def test_problem_and_chain_required(company, retro):
    errs = errors_of(company, retro, problem=" ", whys=[])
    assert errs["problem"] == ["State the problem the chain starts from."]
    assert errs["whys"] == ["Add the first why: what caused the problem?"]
    errs = errors_of(company, retro, whys=[f"why {n}" for n in range(11)])
    assert errs["whys"] == ["A chain has at most 10 levels."]


def test_countermeasure_needs_owner_and_due_date(company, retro):
    errs = errors_of(
        company, retro, countermeasure="", countermeasure_owner=None, countermeasure_due_on=None
    )
    assert errs["countermeasure"] == [
        "Every 5-Why ends with a countermeasure against the root cause."
    ]
    assert errs["countermeasure_owner"] == ["The countermeasure needs an owner."]
    assert errs["countermeasure_due_on"] == ["The countermeasure needs a due date."]
    company["erin"].is_active = False
    company["erin"].save()
    errs = errors_of(company, retro, countermeasure_owner=company["erin"])
    assert errs["countermeasure_owner"] == ["The owner has left the company."]


def test_nothing_is_saved_for_an_invalid_chain(company, retro):
    errors_of(company, retro, whys=CHAIN[:2])
    assert retro.five_whys.count() == 0


def test_editing_replaces_the_chain_and_keeps_the_action(company, retro):
    analysis = save(company, retro)
    action_pk = analysis.action.pk
    whys = [{"text": CHAIN[0]}, {"text": "Leads are poor", "is_root_cause": True}]
    analysis = save(company, retro, whys=whys, analysis=analysis, countermeasure="Buy leads")
    assert [lv.text for lv in analysis.levels.all()] == [CHAIN[0], "Leads are poor"]
    action = RetroAction.objects.get(five_why=analysis)
    assert action.pk == action_pk and action.description == "Buy leads"


def test_only_people_who_may_edit(company, retro):
    with pytest.raises(PermissionDenied):
        save(company, retro, actor=company["carol"])  # the HRBP sees but does not edit
    assert save(company, retro, actor=company["erin"])  # a participant
