"""Pages and htmx partials of retros (thin: permissions from org.permissions, reads from
selectors, writes through services)."""

from .glossary import glossary  # noqa: F401
from .lessons import (  # noqa: F401
    lesson_create,
    lesson_detail,
    lesson_publish,
    lessons,
    similar,
)
from .retrospectives import (  # noqa: F401
    five_why_edit,
    five_why_level,
    follow_through,
    improvement_add,
    retrospective_create,
    retrospective_detail,
    retrospective_hold,
    retrospective_list,
    retrospective_publish,
    retrospective_sections,
)
