"""Query and form parameters read by hand (outside a form or a filter set)."""

import datetime as dt
import re

from django.utils.translation import gettext as _


def is_id(raw) -> bool:
    """A primary key as a query parameter: ASCII digits that fit a 64-bit column. Not
    `str.isdigit()`, which passes "²" (int() refuses it) and numbers no database column holds:
    both were a 500 from the query that used them."""
    return isinstance(raw, str) and re.fullmatch(r"[0-9]{1,18}", raw) is not None


# Every date a person or a client may give lies in these years (a week of 0001-01-01 or a
# cycle ending in 9999 was a 500 from date arithmetic past the calendar's ends).
MIN_DATE = dt.date(2000, 1, 1)
MAX_DATE = dt.date(2100, 12, 31)


def bounded_date(raw) -> dt.date:
    """An ISO date (YYYY-MM-DD) between MIN_DATE and MAX_DATE; ValueError with a message for
    people otherwise."""
    day = dt.date.fromisoformat(str(raw))
    if not MIN_DATE <= day <= MAX_DATE:
        raise ValueError(
            _("Choose a date between %(start)s and %(end)s.")
            % {"start": MIN_DATE.isoformat(), "end": MAX_DATE.isoformat()}
        )
    return day
