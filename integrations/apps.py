from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = _("Integrations")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from core.events import domain_event
        from integrations import direct, services
        from reminders.signals import reminders_sent

        domain_event.connect(services.on_domain_event, dispatch_uid="integrations-webhooks")
        reminders_sent.connect(direct.on_reminders_sent, dispatch_uid="integrations-direct")
