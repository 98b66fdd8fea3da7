"""goals.services.alignment.record_alignment_review: permissions, validation, history, notice."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from goals.models import AlignmentReview
from goals.services.alignment import record_alignment_review
from notifications.models import Notification


def _record(company, quarter, actor, **kwargs):
    return record_alignment_review(
        actor=actor, unit=company["sales"], cycle=quarter, **{"outcome": "approved", **kwargs}
    )


def test_every_review_is_kept(company, quarter):
    first = _record(company, quarter, company["carol"], findings={"cascade_gaps": 1})
    second = _record(company, quarter, company["zed"])
    assert list(AlignmentReview.objects.all()) == [second, first]
    assert first.findings == {"cascade_gaps": 1}


def test_subunits_of_a_partnered_unit_can_be_reviewed(company, quarter):
    review = record_alignment_review(
        actor=company["carol"], unit=company["field"], cycle=quarter, outcome="approved"
    )
    assert review.unit == company["field"]


@pytest.mark.parametrize("who", ["bob", "alice", "mia"])
def test_only_hrbp_or_admin(company, quarter, who):
    with pytest.raises(PermissionDenied):
        _record(company, quarter, company[who])
    assert not AlignmentReview.objects.exists()


def test_outcome_and_comments_are_validated(company, quarter):
    with pytest.raises(ValidationError) as bad:
        _record(company, quarter, company["carol"], outcome="maybe")
    assert "outcome" in bad.value.message_dict
    with pytest.raises(ValidationError) as missing:
        _record(company, quarter, company["carol"], outcome="changes_requested", comments="  ")
    assert "comments" in missing.value.message_dict


def test_head_is_notified_in_their_language(company, quarter):
    company["bob"].language = "zh-hans"
    company["bob"].save()
    _record(company, quarter, company["carol"], outcome="changes_requested", comments="补足缺口")
    note = Notification.objects.get(recipient=company["bob"])
    assert note.kind == "alignment_review"
    assert "要求修改" in note.text and "补足缺口" in note.text
    assert note.url.startswith("/dashboard/alignment/?unit=")


def test_no_notice_without_a_head(company, quarter):
    company["hr"].head = None
    company["hr"].save()
    record_alignment_review(
        actor=company["zed"], unit=company["hr"], cycle=quarter, outcome="approved"
    )
    assert not Notification.objects.exists()
