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
