from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GoalsConfig(AppConfig):
    name = "goals"
    verbose_name = _("Goals")

    def ready(self) -> None:
        from goals import receivers
        from org import signals

        signals.subtree_moved.connect(receivers.subtree_moved, dispatch_uid="goals-subtree")
        signals.person_moved.connect(receivers.person_moved, dispatch_uid="goals-person")
