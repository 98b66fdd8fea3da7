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
        signals.person_moved.connect(
            receivers.person_moved_rollups, dispatch_uid="goals-person-rollups"
        )
        # The read models (goals.services.rollups) follow goal and key-result saves.
        from django.db.models.signals import post_delete, post_save

        from goals.models import Goal, KeyResult

        post_save.connect(receivers.goal_saved, sender=Goal, dispatch_uid="goals-rollups-goal")
        post_delete.connect(
            receivers.goal_deleted, sender=Goal, dispatch_uid="goals-rollups-goal-deleted"
        )
        post_save.connect(
            receivers.key_result_saved, sender=KeyResult, dispatch_uid="goals-rollups-kr"
        )
        post_delete.connect(
            receivers.key_result_deleted, sender=KeyResult, dispatch_uid="goals-rollups-kr-deleted"
        )
