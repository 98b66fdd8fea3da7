"""Memory plumbing for batch jobs."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def no_collection_pauses() -> Iterator[None]:
    """Build a batch's many small objects without cyclic garbage collection meanwhile.

    Loading a batch's inputs keeps everything it builds (hundreds of thousands of rows, dicts
    and dataclasses for 10,000 people), and every full collection walks all of it again: half
    of an incentive evaluation's loading time went there. Reference counting still frees what
    goes out of use; collection resumes, as it was, when the block ends."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
