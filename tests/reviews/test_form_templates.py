"""Review forms per level: Keel ships a frontline, a manager and an executive form (sections
and the anchored 1–5 scale in English and Simplified Chinese); a review cycle picks one per
level, and each review carries the form of its person's level."""

import pytest
from django.core.exceptions import ValidationError

from org.models import Person
from reviews import services
from reviews.models import SECTIONS, FormTemplate, Rating


def _copy(key, new_key):
    template = FormTemplate.objects.get(key=key)
    template.pk = None
    template.key = new_key
    template.names = {"en": "Sales frontline", "zh-hans": "销售一线"}
    template.save()
    return template


@pytest.mark.django_db
def test_three_forms_are_shipped_complete_in_both_languages():
    shipped = {t.key: t for t in FormTemplate.objects.all()}
    assert set(shipped) >= {"frontline", "manager", "executive"}
    for level in Person.Level.values:
        template = shipped[level]
        assert template.level == level
        template.full_clean()
        assert [s["key"] for s in template.sections] == list(SECTIONS)
        assert sorted(template.anchors) == [str(v) for v in Rating.values]
    assert shipped["manager"].section_title("competencies") == "Leading and developing people"
    from django.utils import translation

    with translation.override("zh-hans"):
        assert shipped["executive"].section_title("results") == "经营业绩"
        assert shipped["frontline"].scale()[2][2].startswith("个人目标达成")


@pytest.mark.django_db
def test_a_form_missing_a_language_or_a_step_is_refused():
    template = FormTemplate.objects.get(key="frontline")
    template.anchors = {**template.anchors, "5": {"en": "Outstanding"}}
    template.sections = template.sections[:2]
    with pytest.raises(ValidationError) as caught:
        template.full_clean()
    assert set(caught.value.message_dict) == {"anchors", "sections"}


@pytest.mark.django_db
def test_each_review_gets_the_form_of_its_persons_level(company, quarter):
    """Sales at every level: Bob (manager) gets the manager form, Alice and Erin (frontline)
    the form the cycle chose for frontline."""
    custom = _copy("frontline", "sales-frontline")
    cycle = services.create_review_cycle(
        actor=company["carol"],
        name="Sales H2",
        goal_cycle=quarter,
        unit=company["sales"],
        frontline_form=custom,
    )
    services.open_review_cycle(actor=company["carol"], cycle=cycle)
    forms = dict(cycle.reviews.values_list("person__user__username", "form__key"))
    assert forms == {"alice": "sales-frontline", "erin": "sales-frontline", "bob": "manager"}


@pytest.mark.django_db
def test_a_form_of_another_level_is_refused(company, quarter):
    with pytest.raises(ValidationError) as caught:
        services.create_review_cycle(
            actor=company["carol"],
            name="Sales H2",
            goal_cycle=quarter,
            unit=company["sales"],
            frontline_form=FormTemplate.objects.get(key="executive"),
        )
    assert "frontline_form" in caught.value.message_dict


@pytest.mark.django_db
def test_the_review_page_shows_the_forms_sections_and_scale(login, reviews):
    w = reviews
    assert w["review"].form.key == "frontline"
    client = login(w["alice"])
    page = client.get(f"/reviews/{w['review'].pk}/").content.decode()
    assert "Skills and ways of working" in page  # the section's title, as the rating's label
    assert "Job skills, customer focus" in page  # its guidance
    assert "Own goals exceeded; helps teammates" in page  # the scale's anchor for 4
    w["alice"].language = "zh-hans"
    w["alice"].save()
    page = client.get(f"/reviews/{w['review'].pk}/").content.decode()
    assert "专业能力与工作方式" in page and "个人目标超额完成" in page
