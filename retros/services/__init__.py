"""Writes over retros: one function per business action, transactional, validated and
permission-checked. Views, API, the demo and commands all call these."""

from .five_whys import delete_five_why, save_five_why  # noqa: F401
from .glossary import add_glossary_term, delete_glossary_term  # noqa: F401
from .lessons import (  # noqa: F401
    create_lesson,
    lesson_initial_from_retrospective,
    publish_lesson,
    record_suggestion_open,
    refresh_search_vectors,
    reindex_lesson,
    update_lesson,
)
from .retrospectives import (  # noqa: F401
    add_improvement,
    create_retrospective,
    follow_through,
    hold_retrospective,
    publish_retrospective,
    save_template,
    scope_goals,
    snapshot_results,
    update_retrospective,
)
