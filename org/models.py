"""The organisation: a tree of units, the people in them and who partners which unit as HRBP.

Roles are not flags: a manager heads a unit or has direct reports, an HRBP has assignments,
an admin is a staff user. `org.scopes` holds the people-level scopes every app's permissions
build on.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Value
from django.db.models.functions import Concat, Length, Replace, Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.history import history_user
from org import signals

PATH_SEPARATOR = "/"


class Unit(models.Model):
    class Kind(models.TextChoices):
        COMPANY = "company", _("Company")
        DIVISION = "division", _("Division")
        DEPARTMENT = "department", _("Department")
        TEAM = "team", _("Team")
        # A temporary cross-unit team (专项小组): its members keep their home unit and belong
        # to it through TaskForceMembership; its head is the lead.
        TASK_FORCE = "task_force", _("Task force")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.TEAM)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    head = models.ForeignKey(
        "Person",
        verbose_name=_("head"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_units",
    )
    # Materialized path of ids, "/1/4/9/": a subtree is path__startswith, ancestors are its ids.
    path = models.CharField(max_length=1000, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    # Who changed the org chart, and from where (the change reason names an import, SCIM or a
    # directory sync: directory/audit.py).
    history = HistoricalRecords(get_user=history_user)

    class Meta:
        ordering = ["path"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        indexes = [models.Index(fields=["parent"])]

    def __str__(self) -> str:
        return self.name

    @property
    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to this unit, inclusive."""
        return [int(part) for part in self.path.strip(PATH_SEPARATOR).split(PATH_SEPARATOR) if part]

    def subtree(self) -> models.QuerySet["Unit"]:
        return Unit.objects.filter(path__startswith=self.path)

    def _place(self) -> None:
        parent_path = (
            Unit.objects.only("path").get(pk=self.parent_id).path
            if self.parent_id
            else PATH_SEPARATOR
        )
        self.path = f"{parent_path}{self.pk}{PATH_SEPARATOR}"
        self.depth = self.path.count(PATH_SEPARATOR) - 2

    def clean(self) -> None:
        if self.parent_id and self.pk:
            parent = Unit.objects.only("path").get(pk=self.parent_id)
            if parent.path.startswith(self.path):
                raise ValidationError({"parent": _("A unit cannot move under itself.")})

    def save(self, *args, **kwargs) -> None:
        """Save as asked (every field, or the caller's `update_fields`), with the path and
        depth recomputed from the parent; a new unit is inserted first to learn its id."""
        with transaction.atomic():
            old_path = self.path
            if not self.pk:
                super().save(*args, **kwargs)
                self._place()
                super().save(update_fields=["path", "depth"])
            else:
                self._place()
                if kwargs.get("update_fields") is not None:
                    kwargs["update_fields"] = {*kwargs["update_fields"], "path", "depth"}
                super().save(*args, **kwargs)
            if old_path and old_path != self.path:
                # Move: rewrite every descendant's path prefix and depth in one statement.
                Unit.objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
                    path=Concat(Value(self.path), Substr("path", len(old_path) + 1)),
                    depth=Length("path")
                    - Length(Replace("path", Value(PATH_SEPARATOR), Value("")))
                    - 2
                    + (self.depth - (old_path.count(PATH_SEPARATOR) - 2)),
                )
                signals.subtree_moved.send(sender=Unit, old_path=old_path, new_path=self.path)


class Person(models.Model):
    class Level(models.TextChoices):
        FRONTLINE = "frontline", _("Frontline")
        MANAGER = "manager", _("Manager")
        EXECUTIVE = "executive", _("Executive")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="person"
    )
    display_name = models.CharField(_("name"), max_length=200)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="members"
    )
    manager = models.ForeignKey(
        "self",
        verbose_name=_("manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="direct_reports",
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    level = models.CharField(
        _("level"), max_length=20, choices=Level.choices, default=Level.FRONTLINE
    )
    hired_on = models.DateField(_("hired on"), null=True, blank=True)
    timezone = models.CharField(_("time zone"), max_length=64, default="UTC")
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default="en"
    )
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords(get_user=history_user)

    class Meta:
        ordering = ["display_name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        indexes = [
            models.Index(fields=["unit", "display_name"]),
            # Lists of many people in name order (a large team's first page, the directory):
            # read in index order until a page is found instead of sorting them all.
            models.Index(fields=["display_name", "id"], name="person_by_name"),
        ]

    def __str__(self) -> str:
        return self.display_name

    # The columns other apps' read models follow on a save (tracking's unit × week rollup,
    # goals' alignment findings), remembered as loaded so a receiver compares without a query.
    AS_LOADED = ("unit_id", "is_active", "display_name", "manager_id")

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._remember_loaded()
        return instance

    def _remember_loaded(self) -> None:
        self.as_loaded = {n: self.__dict__[n] for n in self.AS_LOADED if n in self.__dict__}

    def changed_since_loaded(self, *names: str) -> bool:
        """Whether any of these columns differs from the row as loaded (or last saved); True
        when unknown (a person not loaded from the database, or loaded without the column)."""
        loaded = getattr(self, "as_loaded", {})
        return any(name not in loaded or loaded[name] != getattr(self, name) for name in names)

    def save(self, *args, **kwargs) -> None:
        old_unit_id = None
        if self.pk and (kwargs.get("update_fields") is None or "unit" in kwargs["update_fields"]):
            old_unit_id = (
                Person.objects.filter(pk=self.pk).values_list("unit_id", flat=True).first()
            )
        with transaction.atomic():
            super().save(*args, **kwargs)
            if old_unit_id is not None and old_unit_id != self.unit_id:
                signals.person_moved.send(
                    sender=Person, person=self, old_unit_id=old_unit_id, new_unit_id=self.unit_id
                )
        self._remember_loaded()  # after the receivers compared with it

    def clean(self) -> None:
        from zoneinfo import available_timezones

        if self.timezone not in available_timezones():
            raise ValidationError({"timezone": _("Unknown time zone.")})
        if self.manager_id and self.pk and self.manager_id == self.pk:
            raise ValidationError({"manager": _("A person cannot be their own manager.")})
        if self.manager_id and self.pk:
            # No cycles in the manager chain.
            seen, current = {self.pk}, self.manager_id
            while current:
                if current in seen:
                    raise ValidationError({"manager": _("This would create a management loop.")})
                seen.add(current)
                current = (
                    Person.objects.filter(pk=current).values_list("manager_id", flat=True).first()
                )

    @property
    def email(self) -> str:
        return self.user.email

    @property
    def username(self) -> str:
        return self.user.get_username()


class HRBPAssignment(models.Model):
    """An HR business partner covers a unit and its whole subtree."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="hrbp_assignments")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="hrbp_assignments")

    class Meta:
        verbose_name = _("HRBP assignment")
        verbose_name_plural = _("HRBP assignments")
        constraints = [
            models.UniqueConstraint(fields=["person", "unit"], name="unique_hrbp_assignment")
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.unit}"


class TaskForceMembership(models.Model):
    """A person's place in a task force (a unit of kind TASK_FORCE) while keeping their home
    unit (`Person.unit`): members see the task force's unit-visible goals as its people would,
    and those who follow a member (their managers, their HRBP) see all of its goals."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Lead")
        MEMBER = "member", _("Member")

    unit = models.ForeignKey(
        Unit,
        verbose_name=_("task force"),
        on_delete=models.CASCADE,
        related_name="task_force_memberships",
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="task_force_memberships",
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(_("joined at"), default=timezone.now)

    class Meta:
        ordering = ["unit", "-role", "person__display_name"]
        verbose_name = _("task force membership")
        verbose_name_plural = _("task force memberships")
        constraints = [
            models.UniqueConstraint(fields=["unit", "person"], name="unique_task_force_member")
        ]
        indexes = [models.Index(fields=["person", "unit"])]

    def __str__(self) -> str:
        return f"{self.person} ∈ {self.unit}"


class ApiToken(models.Model):
    """A named API token (`Authorization: Token <key>`). Only a SHA-256 digest of the key is
    stored; the key itself is shown once, when the token is made. A token works until it
    expires or is revoked (by its owner, by an admin, on a password change, on deactivation)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("starts with"), max_length=8, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        indexes = [models.Index(fields=["user", "revoked_at"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, now) -> bool:
        return self.revoked_at is None and self.expires_at > now


# What a service account may be granted. Apps check a scope with
# `org.tokens.has_scope(account, scope)`; extend this catalogue, never rename a key (integrators
# keep them in their configuration).
SERVICE_SCOPES: dict[str, object] = {
    "measurements:write": _("Record key-result measurements (limited to the account's units)."),
    "goals:read": _("Read goals and key results (limited to the account's units)."),
    "webhooks:manage": _("Manage outbound webhook subscriptions."),
    "scim": _("Provision people and groups (SCIM)."),
}


class ServiceAccount(models.Model):
    """An integration identity that is not a person (a CRM, an ERP, an identity provider).

    It has an auth user of its own (no Person, no usable password), so its API tokens are the
    ordinary `ApiToken`s of that user and every history row it writes names it. What it may do
    is its `scopes` (keys of SERVICE_SCOPES); `units` narrows the unit-bound scopes
    (measurements, goals) to those units' subtrees, and no units means the whole organisation.
    Revoking it deactivates its user, which ends all its tokens at once."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="service_account",
        editable=False,
    )
    scopes = models.JSONField(_("scopes"), default=list, blank=True)
    units = models.ManyToManyField(
        Unit, verbose_name=_("units"), blank=True, related_name="service_accounts"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("service account")
        verbose_name_plural = _("service accounts")

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def clean(self) -> None:
        if not isinstance(self.scopes, list) or not self.scopes:
            raise ValidationError({"scopes": _("Choose at least one scope.")})
        unknown = [s for s in self.scopes if s not in SERVICE_SCOPES]
        if unknown:
            raise ValidationError(
                {"scopes": _("Unknown scope: %(s)s.") % {"s": ", ".join(map(str, unknown))}}
            )
