"""Demo data for integrations: a CRM service account that pushes Sales' numbers, and a webhook
subscription for goal agreements, inactive (it points at a local path nothing listens on, so
seeding never sends anything). Idempotent: both are made once, by name."""

from __future__ import annotations

from demo.seed.context import DemoContext
from integrations import services as webhooks
from integrations.models import WebhookSubscription
from org import services as org_services
from org.models import ServiceAccount

CRM = "Demo CRM"
HOOK = "Demo ERP (inactive)"


def seed(ctx: DemoContext) -> None:
    admin = ctx.people.get("admin")
    if admin is None or ctx.synthetic:
        return
    if not ServiceAccount.objects.filter(name=CRM).exists():
        units = [ctx.units["sales"]] if "sales" in ctx.units else []
        # The token's key is not kept: an admin issues a new one for a real CRM.
        org_services.create_service_account(
            actor=admin,
            name=CRM,
            description="Pushes closed deals into Sales' key results.",
            scopes=["measurements:write"],
            units=units,
            days=30,
        )
    if not WebhookSubscription.objects.filter(name=HOOK).exists():
        webhooks.create_subscription(
            actor=admin,
            name=HOOK,
            url="http://127.0.0.1/keel-demo-webhook",
            event_types=["goal.agreed", "key_result.status_changed"],
            is_active=False,
        )
