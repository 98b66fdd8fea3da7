from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoordinationConfig(AppConfig):
    name = "coordination"
    verbose_name = _("Coordination")

    def ready(self) -> None:
        # Meetings are found by the lessons search (retros sits below coordination in the
        # layers, so coordination registers its provider there).
        from coordination.selectors import meeting_search_hits
        from retros import providers

        providers.register("meetings", meeting_search_hits)
