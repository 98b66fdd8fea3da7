"""Logging filters."""

from __future__ import annotations

import logging


class OneLineClientErrors(logging.Filter):
    """On `django.request`: a refused request (4xx, such as a page's 403) is one line, without
    the traceback of the exception that produced it; server errors keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
