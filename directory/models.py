"""How the people and units of an outside directory (an identity provider, SCIM, Feishu,
DingTalk, WeCom) are known in Keel: their ids there, linked to org's Person and Unit."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from org.models import Person, Unit


class ExternalPerson(models.Model):
    """`external_id` of `person` at `source` ("scim", "sync:feishu", "oidc:<provider>")."""

    source = models.CharField(_("source"), max_length=50)
    external_id = models.CharField(_("external id"), max_length=255)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="external_ids")

    class Meta:
        verbose_name = _("external person id")
        verbose_name_plural = _("external person ids")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"], name="unique_external_person"
            ),
            models.UniqueConstraint(fields=["source", "person"], name="one_external_id_per_source"),
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.external_id}"


class ExternalUnit(models.Model):
    """`external_id` of `unit` at `source` (a department id of Feishu, DingTalk or WeCom)."""

    source = models.CharField(_("source"), max_length=50)
    external_id = models.CharField(_("external id"), max_length=255)
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="external_ids")

    class Meta:
        verbose_name = _("external unit id")
        verbose_name_plural = _("external unit ids")
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="unique_external_unit"),
            models.UniqueConstraint(fields=["source", "unit"], name="one_external_unit_per_source"),
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.external_id}"
