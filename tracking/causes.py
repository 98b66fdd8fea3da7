from django.utils.translation import gettext_lazy as _

# The cause tags every organisation starts with (slug → translatable label).
SEEDED_LABELS = {
    "not-enough-leads": _("Not enough leads"),
    "low-conversion": _("Low conversion"),
    "skills-gap": _("Skills gap"),
    "competition": _("Competition"),
    "resources": _("Resources"),
    "dependencies": _("Dependencies"),
    "external-change": _("External change"),
    "other": _("Other"),
}


def ensure_seeded_cause_tags() -> None:
    """The starting list exists (a data migration creates it; a flushed database, as in
    transactional tests, or an organisation that deleted rows gets it back). Edited labels and
    deactivated tags are left as they are."""
    from django.utils import translation

    from tracking.models import CauseTag

    existing = set(CauseTag.objects.values_list("slug", flat=True))
    with translation.override("en"):  # stored in English; shown translated
        CauseTag.objects.bulk_create(
            [
                CauseTag(slug=slug, label=str(label), position=position)
                for position, (slug, label) in enumerate(SEEDED_LABELS.items())
                if slug not in existing
            ]
        )
