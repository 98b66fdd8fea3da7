from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    """Identity from outside Keel: single sign-on, SCIM provisioning, directory sync from
    Feishu / DingTalk / WeCom and bulk people import. Every change goes through org.services
    and is recorded in the org history with its source."""

    name = "directory"
    verbose_name = _("Directory")

    def ready(self) -> None:
        from simple_history.signals import pre_create_historical_record

        from directory import audit

        pre_create_historical_record.connect(audit.stamp_source, dispatch_uid="directory-source")
