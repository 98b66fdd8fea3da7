"""Run a command with the CPU busy: one busy-looping Python process per core (or --hogs N)
beside it, started before the command and killed, by their own process ids, when it ends,
however it ends. Exits with the command's status. `make test-under-load` runs the test suite
this way, so that timing-sensitive tests (deadlines, SQLite's lock waits, the worker tests)
are shown to hold on a busy machine, not only on an idle one.

python scripts/under_load.py [--hogs N] -- .venv/bin/python -m pytest -q tests/reminders
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time

HOG = "while True:\n    pass\n"


def start_hogs(count: int) -> list[subprocess.Popen]:
    return [subprocess.Popen([sys.executable, "-c", HOG]) for _ in range(count)]


def stop_hogs(hogs: list[subprocess.Popen]) -> None:
    for hog in hogs:
        if hog.poll() is None:
            hog.kill()
    for hog in hogs:
        hog.wait()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--hogs", type=int, default=os.cpu_count() or 1, help="busy processes (default: cores)"
    )
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- then the command to run")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command given (put it after --)")

    # A SIGTERM (a CI timeout, `kill`) ends this process through `finally`, as Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    hogs = start_hogs(args.hogs)
    started = time.monotonic()
    print(
        f"under_load: {len(hogs)} CPU hog(s) running (pids {' '.join(str(h.pid) for h in hogs)})",
        flush=True,
    )
    try:
        status = subprocess.call(command)
    except KeyboardInterrupt:
        status = 130
    finally:
        stop_hogs(hogs)
    load = " ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"under_load: command exited {status} after {time.monotonic() - started:.0f} s beside "
        f"{len(hogs)} CPU hog(s) (load average now {load}); hogs stopped.",
        flush=True,
    )
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
