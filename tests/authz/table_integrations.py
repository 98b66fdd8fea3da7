"""Matrix rows: integrations (issue 23): the bulk push of measurements, service accounts and
outbound webhooks.

Webhook subscriptions and their delivery log are the admins' (and service accounts granted
webhooks:manage, tests/integrations): a list shows others nothing, an id answers 404.

A bulk push answers every signed-in caller row by row: a row for a key result the caller may
not measure is an error with the same words as one that does not exist, and writes nothing;
only the owner and those above them create values.

Service accounts are listed, made and revoked by admins on their page: others get 403 for the
page and 404 for an account's id.
"""

from tests.authz.rows import EVERYONE, ONLY_ADMIN, OWNER_AND_ABOVE, Act, Marker


def _created(response) -> bool:
    return response.json()["created"] == 1


def _bulk(name: str) -> dict:
    return {"rows": [{"key_result": f"@{name}", "value": "4", "external_id": "crm-1"}]}


TABLE = {
    "measurement-bulk-list": [
        Act(
            "push",
            "/api/v1/measurements/bulk/",
            "post",
            _bulk("kr"),
            allowed=EVERYONE,
            reveals=(_created, OWNER_AND_ABOVE),
            effect=False,
        ),
        Act(
            "push private",
            "/api/v1/measurements/bulk/",
            "post",
            _bulk("kr_private"),
            allowed=EVERYONE,
            reveals=(_created, OWNER_AND_ABOVE),
            effect=False,
        ),
    ],
    "webhook-subscription-list": [
        Act(
            "list",
            "/api/v1/webhooks/subscriptions/",
            markers=(Marker("@subscription", ONLY_ADMIN),),
        ),
        Act(
            "subscribe",
            "/api/v1/webhooks/subscriptions/",
            "post",
            {"name": "CRM", "url": "http://127.0.0.1:9/crm", "event_types": ["goal.agreed"]},
            allowed=ONLY_ADMIN,
        ),
    ],
    "webhook-subscription-detail": [
        Act("read", "/api/v1/webhooks/subscriptions/{subscription}/", allowed=ONLY_ADMIN),
        Act(
            "change",
            "/api/v1/webhooks/subscriptions/{subscription}/",
            "patch",
            {"is_active": False},
            allowed=ONLY_ADMIN,
            sees=ONLY_ADMIN,
        ),
        Act(
            "delete",
            "/api/v1/webhooks/subscriptions/{subscription}/",
            "delete",
            allowed=ONLY_ADMIN,
            sees=ONLY_ADMIN,
        ),
    ],
    "webhook-delivery-list": [
        Act("log", "/api/v1/webhooks/deliveries/", markers=(Marker("@delivery", ONLY_ADMIN),))
    ],
    "webhook-delivery-detail": [
        Act("read", "/api/v1/webhooks/deliveries/{delivery}/", allowed=ONLY_ADMIN)
    ],
    "webhook-delivery-replay": [
        Act(
            "replay",
            "/api/v1/webhooks/deliveries/{delivery}/replay/",
            "post",
            allowed=ONLY_ADMIN,
            sees=ONLY_ADMIN,
        )
    ],
    "integrations:service-accounts": [
        Act("service accounts", "/integrations/service-accounts/", allowed=ONLY_ADMIN, denied=403),
        Act(
            "create a service account",
            "/integrations/service-accounts/",
            "post",
            {"name": "ERP", "scopes": ["goals:read"], "days": "30"},
            allowed=ONLY_ADMIN,
            denied=403,
        ),
    ],
    "integrations:service-account-revoke": [
        Act(
            "revoke a service account",
            "/integrations/service-accounts/{service_account}/revoke/",
            "post",
            allowed=ONLY_ADMIN,
            sees=ONLY_ADMIN,
        )
    ],
}
