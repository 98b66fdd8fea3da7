from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared plumbing below every domain app: API conventions, query parameters, the actor of
    history rows, sign-in lockout answers. Knows no domain model."""

    name = "core"
    verbose_name = "Keel core"
