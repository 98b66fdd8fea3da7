"""Beat entries of the integrations app: the sweep re-sends webhook deliveries left pending
(a broker outage) or stuck sending (a worker that died mid-send)."""

BEAT_SCHEDULE = {
    "integrations-webhook-sweep": {
        "task": "integrations.tasks.sweep_webhooks",
        "schedule": 300.0,
        "options": {"expires": 240},
    },
}
