from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrackingConfig(AppConfig):
    name = "tracking"
    verbose_name = _("Tracking")

    def ready(self) -> None:
        # The unit × week rollup (tracking.services.week_rollups) follows check-in, update
        # and people writes, in their transaction.
        from django.db.models.signals import post_delete, post_save

        from goals.services import rollups
        from org import signals
        from org.models import Person
        from tracking import receivers
        from tracking.models import CheckIn, KeyResultUpdate

        post_save.connect(receivers.check_in_saved, sender=CheckIn, dispatch_uid="tracking-wr-ci")
        post_delete.connect(
            receivers.check_in_deleted, sender=CheckIn, dispatch_uid="tracking-wr-ci-deleted"
        )
        post_save.connect(
            receivers.update_saved, sender=KeyResultUpdate, dispatch_uid="tracking-wr-update"
        )
        post_delete.connect(
            receivers.update_deleted,
            sender=KeyResultUpdate,
            dispatch_uid="tracking-wr-update-deleted",
        )
        post_save.connect(receivers.person_saved, sender=Person, dispatch_uid="tracking-wr-person")
        post_delete.connect(
            receivers.person_deleted, sender=Person, dispatch_uid="tracking-wr-person-deleted"
        )
        signals.person_moved.connect(receivers.person_moved, dispatch_uid="tracking-wr-moved")
        # Rebuilt with the goals' rollups (rebuild_rollups, check_numbers, the demo seed).
        from tracking.services import week_rollups

        rollups.register_rebuild(week_rollups.rebuild)
