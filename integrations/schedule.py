"""Beat entries of the integrations app: the sweep re-sends webhook deliveries left pending
(a broker outage) or stuck sending (a worker that died mid-send); the hourly purge deletes
Idempotency-Keys older than 24 hours and the delivery log older than KEEL_WEBHOOK_LOG_DAYS."""

BEAT_SCHEDULE = {
    "integrations-webhook-sweep": {
        "task": "integrations.tasks.sweep_webhooks",
        "schedule": 300.0,
        "options": {"expires": 240},
    },
    "integrations-purge": {
        "task": "integrations.tasks.purge_integration_logs",
        "schedule": 3600.0,
        "options": {"expires": 3000},
    },
}
