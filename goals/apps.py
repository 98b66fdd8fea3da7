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
        # The alignment findings (goals.services.alignment_findings) follow the same writes,
        # support links, people, units, task-force memberships and new cycles.
        from django.db.models.signals import m2m_changed, pre_delete

        from goals.models import Cycle
        from org.models import Person, TaskForceMembership, Unit

        for signal, receiver, model, uid in (
            (post_save, receivers.goal_saved_findings, Goal, "goal"),
            (pre_delete, receivers.goal_deleting_findings, Goal, "goal-deleting"),
            (post_delete, receivers.goal_deleted_findings, Goal, "goal-deleted"),
            (post_save, receivers.key_result_saved_findings, KeyResult, "kr"),
            (post_delete, receivers.key_result_deleted_findings, KeyResult, "kr-deleted"),
            (m2m_changed, receivers.supports_changed_findings, Goal.supports.through, "links"),
            (post_save, receivers.person_saved_findings, Person, "person"),
            (post_save, receivers.unit_saved_findings, Unit, "unit"),
            (post_save, receivers.membership_changed_findings, TaskForceMembership, "member"),
            (post_delete, receivers.membership_changed_findings, TaskForceMembership, "left"),
            (post_save, receivers.cycle_saved_findings, Cycle, "cycle"),
        ):
            signal.connect(receiver, sender=model, dispatch_uid=f"goals-findings-{uid}")
