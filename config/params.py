"""Query and form parameters read by hand (outside a form or a filter set)."""

import re


def is_id(raw) -> bool:
    """A primary key as a query parameter: ASCII digits that fit a 64-bit column. Not
    `str.isdigit()`, which passes "²" (int() refuses it) and numbers no database column holds:
    both were a 500 from the query that used them."""
    return isinstance(raw, str) and re.fullmatch(r"[0-9]{1,18}", raw) is not None
