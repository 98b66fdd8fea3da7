"""The awards flow: proposed → approved → published, and deferred awards vesting."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from core.events import publish
from core.history import records_actor
from incentives.models import Award, IncentiveRule
from notifications.services import notify
from org import scopes
from org.models import Person
from resources.models import Budget, BudgetCategory
from resources.services.budgets import update_alert


def _check(actor: Person, award: Award) -> None:
    allowed = scopes.is_admin(actor) or scopes.partners(actor, award.person)
    if not allowed or actor.pk == award.person_id:
        raise PermissionDenied(_("Only admins and the person's HRBP may decide this award."))


def incentive_budget_for(award: Award, *, lock: bool = False) -> Budget | None:
    """The incentive budget an award draws on: the person's nearest unit (theirs, then up the
    tree) with an incentives budget for a cycle containing the award's period start (the
    shortest such cycle). None: no budget is set, approval is not limited."""
    qs = Budget.objects.filter(
        category=BudgetCategory.INCENTIVES,
        unit_id__in=award.person.unit.ancestor_ids,
        cycle__starts_on__lte=award.period_start,
        cycle__ends_on__gte=award.period_start,
    ).select_related("unit", "cycle")
    if lock:
        qs = qs.select_for_update(of=("self",))
    budgets = list(qs)
    if not budgets:
        return None
    return max(
        budgets,
        key=lambda b: (b.unit.depth, -(b.cycle.ends_on - b.cycle.starts_on).days),
    )


def _commit_to_budget(award: Award) -> None:
    """Commit a paying award against its incentive budget, locked (SELECT ... FOR UPDATE, as
    resource requests do) so concurrent approvals never overspend it."""
    if award.amount <= 0:
        return
    budget = incentive_budget_for(award, lock=True)
    if budget is None:
        return
    if budget.currency != award.currency:
        raise ValidationError(
            {
                "amount": _(
                    "The incentive budget is kept in %(budget)s but the award is in %(award)s."
                )
                % {"budget": budget.currency, "award": award.currency}
            }
        )
    if award.amount > budget.remaining:
        raise ValidationError(
            {
                "amount": _(
                    "Approving %(amount)s %(currency)s exceeds the incentive budget of %(unit)s "
                    "for %(cycle)s: only %(remaining)s %(currency)s remain."
                )
                % {
                    "amount": f"{award.amount:,.2f}",
                    "currency": budget.currency,
                    "unit": budget.unit.name,
                    "cycle": budget.cycle.name,
                    "remaining": f"{budget.remaining:,.2f}",
                }
            }
        )
    budget.committed += award.amount
    budget.save(update_fields=["committed", "updated_at"])
    update_alert(budget)


@records_actor
@transaction.atomic
def approve_award(*, actor: Person, award: Award) -> Award:
    award = (
        Award.objects.select_for_update(of=("self",))
        .select_related("person__unit")
        .get(pk=award.pk)
    )
    _check(actor, award)
    if award.state != Award.State.PROPOSED:
        raise ValidationError({"state": _("Only a proposed award can be approved.")})
    _commit_to_budget(award)
    award.state = Award.State.APPROVED
    award.approved_by = actor
    award.approved_at = timezone.now()
    award.save(update_fields=["state", "approved_by", "approved_at", "updated_at"])
    return award


@records_actor
@transaction.atomic
def publish_award(*, actor: Person, award: Award) -> Award:
    """Publish an approved award: recognition appears on the feed; the recipient and their
    manager are notified."""
    award = (
        Award.objects.select_for_update(of=("self",))
        .select_related("person__unit", "person__manager", "rule")
        .get(pk=award.pk)
    )
    _check(actor, award)
    if award.state != Award.State.APPROVED:
        raise ValidationError({"state": _("Approve the award before publishing it.")})
    award.state = Award.State.PUBLISHED
    award.published_at = timezone.now()
    award.save(update_fields=["state", "published_at", "updated_at"])
    label = award.title or award.rule.name
    url = (
        reverse("incentives:recognitions")
        if award.kind == IncentiveRule.Kind.RECOGNITION
        else reverse("incentives:my-awards")
    )
    with translation.override(award.person.language):
        text = _("You received an award: %(label)s.") % {"label": label}
    notify(recipients=[award.person], kind="award_published", text=text, url=url, subject=award)
    manager = award.person.manager
    if manager is not None:
        with translation.override(manager.language):
            text = _("%(name)s received an award: %(label)s.") % {
                "name": award.person.display_name,
                "label": label,
            }
        notify(
            recipients=[manager],
            kind="award_published",
            text=text,
            url=reverse("incentives:award", args=[award.pk]),
            subject=award,
        )
    publish(
        "award.published",
        award=award.pk,
        rule=award.rule_id,
        person=award.person_id,
        kind=award.kind,
        by=actor.pk,
    )
    return award


@transaction.atomic
def update_vesting(*, today: dt.date) -> int:
    """Mark due tranches of deferred awards vested, or forfeited (with every later tranche)
    when the person has left. Returns how many awards changed; running twice changes
    nothing more."""
    changed = []
    awards = Award.objects.select_for_update(of=("self",)).filter(
        kind=IncentiveRule.Kind.DEFERRED, state__in=[Award.State.APPROVED, Award.State.PUBLISHED]
    )
    for award in awards.select_related("person"):
        schedule = award.explanation.get("vesting", [])
        dirty, forfeited = False, False
        for tranche in schedule:
            forfeited = forfeited or tranche["status"] == "forfeited"
            if tranche["status"] != "pending":
                continue
            if forfeited:
                tranche["status"], dirty = "forfeited", True
            elif dt.date.fromisoformat(tranche["vests_on"]) <= today:
                forfeited = not award.person.is_active
                tranche["status"], dirty = ("forfeited" if forfeited else "vested"), True
        if dirty:
            changed.append(award)
    bulk_update_with_history(changed, Award, ["explanation"], batch_size=500)
    return len(changed)
