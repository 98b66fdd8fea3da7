"""`.ci/run` stops the smoke server it started by its process group id (never `pkill -f`,
which may kill any process with that text), and that way stops the server's children too."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / ".ci" / "run"


def test_the_ci_script_kills_only_the_group_it_started():
    text = SCRIPT.read_text()
    assert "pkill" not in text and "killall" not in text
    assert "setsid env -u DATABASE_URL -u REDIS_URL make run" in text
    assert 'kill -- "-$RUN_PGID"' in text


def test_killing_the_setsid_group_stops_the_children(tmp_path):
    pids = tmp_path / "pids"
    script = f"""
    setsid sh -c 'sleep 300 & echo $! > {pids}; sleep 300' &
    PGID=$!
    for _ in $(seq 50); do [ -s {pids} ] && break; sleep 0.1; done
    kill -- "-$PGID"
    echo $PGID
    """
    out = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True)
    leader, child = int(out.stdout.strip()), int(pids.read_text())
    time.sleep(0.3)
    for pid in (leader, child):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            continue
        # A zombie awaiting its reaper is stopped too.
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
        assert state == "Z", f"{pid} still running"
