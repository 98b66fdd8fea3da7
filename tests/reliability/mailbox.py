"""Email for tests that run Keel in another process: Django's file backend (one file per
connection, every message flushed as it is written), and a way to count what was sent."""

from __future__ import annotations

import os
import re
import threading
from collections import Counter
from pathlib import Path

from django.core.mail.backends import filebased


class StallingFileBackend(filebased.EmailBackend):
    """The file backend, except that once KEEL_TEST_STALL_AFTER messages went out from this
    process it hangs before writing the next (and creates the file KEEL_TEST_STALL_MARKER to
    say so): a worker stuck in the middle of a send, for the test to kill."""

    written = 0
    _lock = threading.Lock()

    def write_message(self, message):
        limit = os.environ.get("KEEL_TEST_STALL_AFTER")
        if limit and StallingFileBackend.written >= int(limit):
            Path(os.environ["KEEL_TEST_STALL_MARKER"]).touch()
            threading.Event().wait()  # until the process is killed
        super().write_message(message)
        with StallingFileBackend._lock:
            StallingFileBackend.written += 1


TO = re.compile(rb"^To: (.+?)\r?$", re.MULTILINE)


def recipients(folder: Path) -> Counter:
    """How many messages each address got, over every file the backend wrote."""
    counts: Counter = Counter()
    for path in folder.glob("*.log"):
        for match in TO.finditer(path.read_bytes()):
            counts[match.group(1).decode()] += 1
    return counts
