"""Writes over incentive rules."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.history import records_actor
from incentives import permissions
from incentives.models import IncentiveRule
from org.models import Person

RULE_FIELDS = (
    "name",
    "description",
    "unit",
    "levels",
    "period",
    "cycle",
    "require_agreed_goals",
    "min_check_in_rate",
    "min_tenure_days",
    "unit_goals_weight",
    "kind",
    "params",
    "currency",
    "cap",
    "is_active",
)


def _check_unit(actor: Person, unit) -> None:
    if unit is None:
        raise ValidationError({"unit": _("Choose the unit the rule applies to.")})
    if not permissions.manageable_units(actor).filter(pk=unit.pk).exists():
        raise ValidationError({"unit": _("You can only scope rules to units you partner.")})


@records_actor
@transaction.atomic
def create_rule(*, actor: Person, **fields) -> IncentiveRule:
    """A new rule, validated per kind. Admins, and HRBPs for the units they partner."""
    if not permissions.can_manage_incentives(actor):
        raise PermissionDenied(_("Only admins and HRBPs define incentive rules."))
    unknown = set(fields) - set(RULE_FIELDS)
    if unknown:
        raise ValidationError({key: _("Unknown field.") for key in sorted(unknown)})
    _check_unit(actor, fields.get("unit"))
    rule = IncentiveRule(created_by=actor, **fields)
    rule.full_clean()
    rule.save()
    return rule


@records_actor
@transaction.atomic
def update_rule(*, actor: Person, rule: IncentiveRule, **fields) -> IncentiveRule:
    if not permissions.can_manage_rule(actor, rule):
        raise PermissionDenied(_("Only admins and the unit's HRBP may change this rule."))
    unknown = set(fields) - set(RULE_FIELDS)
    if unknown:
        raise ValidationError({key: _("Unknown field.") for key in sorted(unknown)})
    rule = IncentiveRule.objects.select_for_update(of=("self",)).get(pk=rule.pk)
    for key, value in fields.items():
        setattr(rule, key, value)
    if "unit" in fields:
        _check_unit(actor, rule.unit)
    rule.full_clean()
    rule.save()
    return rule
