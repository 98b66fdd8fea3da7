"""Reads over retros, scoped by `org.permissions`: retrospective lists and pages, cause-tag
counts, lesson search and similar-lesson suggestions."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.exceptions import ValidationError
from django.db.models import Case, Count, F, FloatField, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext as _

from core.params import is_id
from goals.models import Goal, KeyResult
from org.models import Person, Unit
from retros import permissions, providers, search
from retros.models import (
    FiveWhyAnalysis,
    GlossaryTerm,
    Lesson,
    RetroAction,
    Retrospective,
    WhyLevel,
)
from tracking.models import CauseTag, CheckIn, KeyResultUpdate
from tracking.models.checkins import week_start

CATEGORY_BOOST = 0.5  # PostgreSQL rank units (ts_rank of a title hit is about 0.6)
RETRO_TEXTS = ("title", "reasons", "what_worked", "improvements")
MAX_RETRO_HITS = 10


def retrospective_list(
    *, viewer: Person, cycle=None, unit=None, goal=None, state: str = ""
) -> QuerySet[Retrospective]:
    qs = (
        permissions.visible_retrospectives(viewer)
        .select_related("cycle", "unit", "goal__owner_person", "goal__owner_unit", "facilitator")
        .prefetch_related("participants")  # for each row's available actions
    )
    if cycle is not None:
        qs = qs.filter(cycle=cycle)
    if unit is not None:
        qs = qs.filter(unit=unit)
    if goal is not None:
        qs = qs.filter(goal=goal)
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("-cycle__starts_on", "-created_at", "-pk")


def retrospective_detail(*, viewer: Person, pk) -> Retrospective:
    """A retrospective with its people, 5-Whys (levels in order) and actions (with the goal or
    plan they became), in a fixed number of queries."""
    retro = permissions.get_retrospective_for(viewer, pk)
    retro = (
        Retrospective.objects.filter(pk=retro.pk)
        .select_related(
            "cycle",
            "unit",
            "goal__owner_person__unit",
            "goal__owner_unit",
            "facilitator",
            "template",
        )
        .prefetch_related(
            "participants",
            Prefetch(
                "five_whys",
                queryset=FiveWhyAnalysis.objects.select_related(
                    "countermeasure_owner", "action__owner", "action__goal", "action__plan"
                )
                .prefetch_related(
                    Prefetch("levels", queryset=WhyLevel.objects.order_by("position"))
                )
                .order_by("pk"),
            ),
            Prefetch(
                "actions",
                queryset=RetroAction.objects.select_related(
                    "owner", "goal__cycle", "plan"
                ).order_by("kind", "pk"),
            ),
        )
        .get()
    )
    # For display only (never saved): the snapshot's goals this viewer may see.
    retro.results = permissions.visible_results(viewer, retro)
    return retro


@dataclass
class CauseCount:
    tag: CauseTag
    weeks: int

    @property
    def label(self) -> str:
        return self.tag.display_label


def cause_counts(retro: Retrospective) -> list[CauseCount]:
    """Cause tags from the check-ins of the cycle, counted as the number of distinct weeks in
    which a goal of the scope was given that cause ("Not enough leads: 9 weeks")."""
    goal_ids = [g["id"] for g in retro.results.get("goals", [])]
    if not goal_ids:
        return []
    rows = (
        KeyResultUpdate.objects.filter(
            key_result__goal_id__in=goal_ids,
            cause__isnull=False,
            check_in__state=CheckIn.State.SUBMITTED,
            check_in__week__gte=week_start(retro.cycle.starts_on),
            check_in__week__lte=retro.cycle.ends_on,
        )
        .values("cause_id")
        .annotate(weeks=Count("check_in__week", distinct=True))
        .order_by("-weeks", "cause_id")
    )
    rows = list(rows)
    tags = CauseTag.objects.in_bulk([r["cause_id"] for r in rows])
    return [CauseCount(tag=tags[r["cause_id"]], weeks=r["weeks"]) for r in rows]


def _lessons_base(viewer: Person) -> QuerySet[Lesson]:
    # Author and unit are prefetched, not joined: PostgreSQL underestimates how many rows
    # match a query of correlated terms (短 & 视频 & 引流 come from one word), and a join
    # planned for 2 rows that meets 2,000 costs more than the two extra small queries.
    return (
        permissions.visible_lessons(viewer)
        .prefetch_related("author", "unit", "tags")
        .defer("search_vector", "search_document")
    )


def lesson_list(
    *,
    viewer: Person,
    category: str = "",
    tag: str = "",
    unit: Unit | None = None,
    state: str = "",
) -> QuerySet[Lesson]:
    qs = _lessons_base(viewer)
    if category:
        qs = qs.filter(category__iexact=category.strip())
    if tag:
        qs = qs.filter(tags__name__iexact=tag.strip())
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    if state:
        qs = qs.filter(state=state)
    return qs


class CountedQuerySet:
    """A ranked queryset whose total is already known (it was counted to choose between the
    all-terms and the any-term query), so a paginator does not count it again. Slicing and
    iterating go to the queryset."""

    def __init__(self, queryset: QuerySet[Lesson], total: int):
        self.queryset, self.total = queryset, total

    def count(self) -> int:
        return self.total

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, key):
        return self.queryset[key]

    def __iter__(self):
        return iter(self.queryset)


@dataclass
class SearchResult:
    """Lessons in rank order (a queryset on PostgreSQL, a list on SQLite or for partial-word
    matches), the retrospectives that match (a list, best first) and the terms used, glossary
    expansions included, which the caller needs to highlight snippets."""

    lessons: QuerySet[Lesson] | CountedQuerySet | list[Lesson]
    terms: list[str]
    retrospectives: list[Retrospective] = field(default_factory=list)
    # What other apps' search providers found (meetings, …), best first.
    others: list[providers.SearchHit] = field(default_factory=list)


def glossary() -> list[GlossaryTerm]:
    return list(GlossaryTerm.objects.order_by("term", "translation"))


_match_q = search.match_q


def _rank_in_python(
    qs: QuerySet[Lesson], groups: list[search.Group], *, any_term: bool
) -> list[Lesson]:
    qs = qs.filter(_match_q(("search_document",), groups, any_term=any_term))
    terms = search.flat_terms(groups)
    rows = list(qs.defer(None).defer("search_vector"))
    for lesson in rows:
        lesson.rank = search.python_score(terms, lesson.search_title, lesson.search_document).score
    rows.sort(key=lambda row: (-row.rank, -(row.published_at or row.created_at).timestamp()))
    return rows


def _search_retrospectives(viewer: Person, groups: list[search.Group]) -> list[Retrospective]:
    """The retrospectives the viewer may see whose texts match every group (else any group),
    ranked like lessons on SQLite: by term hits, title hits counting more."""
    base = (
        permissions.visible_retrospectives(viewer)
        .select_related("cycle", "unit", "goal")
        .order_by("-created_at", "-pk")
    )
    rows = list(base.filter(_match_q(RETRO_TEXTS, groups, any_term=False))[:50])
    if not rows and len(groups) > 1:
        rows = list(base.filter(_match_q(RETRO_TEXTS, groups, any_term=True))[:50])
    terms = search.flat_terms(groups)
    for retro in rows:
        body = search.document(retro.reasons, retro.what_worked, retro.improvements)
        retro.rank = search.python_score(terms, search.document(retro.title), body).score
    rows.sort(key=lambda row: -row.rank)  # stable: newest first among equals
    return rows[:MAX_RETRO_HITS]


def search_lessons(
    *,
    viewer: Person,
    query: str,
    category: str = "",
    tag: str = "",
    unit: Unit | None = None,
    state: str = "",
    with_retrospectives: bool = False,
) -> SearchResult:
    """Ranked full-text search: every term (or a glossary counterpart of it) must match, a
    prefix for Latin words; when nothing matches, the same terms inside words (substrings),
    then lessons matching any term are offered instead. With `with_retrospectives` (an
    unfiltered search), the retrospectives matching the same terms come too, and what the
    registered search providers find (`retros.providers`: meetings)."""
    qs = lesson_list(viewer=viewer, category=category, tag=tag, unit=unit, state=state)
    terms = search.query_terms(query)
    if not terms:
        return SearchResult(qs, [])
    groups = search.expand(terms, [(g.term, g.translation) for g in glossary()])
    used = search.flat_terms(groups)
    retros = _search_retrospectives(viewer, groups) if with_retrospectives else []
    others = providers.search(viewer, groups, used) if with_retrospectives else []
    if not search.is_postgres():
        rows = _rank_in_python(qs, groups, any_term=False)
        if not rows and len(groups) > 1:
            rows = _rank_in_python(qs, groups, any_term=True)
        return SearchResult(rows, used, retros, others)

    def ranked(any_term: bool) -> QuerySet[Lesson]:
        tsquery = SearchQuery(
            search.tsquery_groups(groups, any_term=any_term), search_type="raw", config="simple"
        )
        return (
            qs.filter(search_vector=tsquery)
            .annotate(rank=SearchRank(F("search_vector"), tsquery))
            .order_by("-rank", "-published_at", "-pk")
        )

    result = ranked(False)
    total = result.count()
    if total == 0:
        partial = _rank_in_python(qs, groups, any_term=False)
        if partial:
            return SearchResult(partial, used, retros, others)
        if len(groups) > 1:
            result = ranked(True)
            total = result.count()
    return SearchResult(CountedQuerySet(result, total), used, retros, others)


def similar_lessons(
    *,
    viewer: Person,
    goal: Goal | None = None,
    key_result: KeyResult | None = None,
    limit: int = 3,
) -> SearchResult:
    """The published lessons closest to a goal or a key result: words of the goal's title,
    description and key results (or of the key result and its goal) and the goal's category,
    which counts as a strong match on its own."""
    if key_result is not None:
        goal = key_result.goal
        texts = [key_result.name, goal.title, goal.description]
    elif goal is not None:
        texts = [goal.title, goal.description, *(kr.name for kr in goal.key_results.all())]
    else:
        return SearchResult([], [])
    category = (goal.category or "").strip()
    terms = search.query_terms(" ".join([*texts, category]), limit=search.MAX_SIMILAR_TERMS)
    qs = (
        Lesson.objects.filter(state=Lesson.State.PUBLISHED)
        .select_related("author", "unit")
        .prefetch_related("tags")
    )
    if not terms and not category:
        return SearchResult([], [])
    category_q = Q(category__iexact=category) if category else Q(pk__in=[])
    if not search.is_postgres():
        word_q = reduce(or_, (Q(search_document__icontains=t) for t in terms), Q(pk__in=[]))
        rows = list(qs.filter(word_q | category_q).defer("search_vector"))
        for lesson in rows:
            hit = search.python_score(terms, lesson.search_title, lesson.search_document)
            same = bool(category) and lesson.category.casefold() == category.casefold()
            lesson.rank = hit.score + (25 if same else 0)
        rows.sort(key=lambda r: (-r.rank, -(r.effectiveness or 0), -r.pk))
        return SearchResult(rows[:limit], terms)
    word_q, word_rank = Q(pk__in=[]), Value(0.0)
    if terms:
        tsquery = SearchQuery(
            search.tsquery_text(terms, any_term=True), search_type="raw", config="simple"
        )
        word_q = Q(search_vector=tsquery)
        word_rank = Coalesce(SearchRank(F("search_vector"), tsquery), Value(0.0))
    rows = (
        qs.filter(word_q | category_q)
        .annotate(
            rank=word_rank
            + Case(
                When(category_q, then=Value(CATEGORY_BOOST)),
                default=Value(0.0),
                output_field=FloatField(),
            )
        )
        .order_by("-rank", F("effectiveness").desc(nulls_last=True), "-pk")[:limit]
    )
    return SearchResult(list(rows), terms)


def similar_target(
    *, viewer: Person, goal: str = "", key_result: str = ""
) -> tuple[Goal | None, KeyResult | None]:
    """(goal, key_result) from the ids given as text; 404 when the viewer may not see it."""
    goal, key_result = (goal or "").strip(), (key_result or "").strip()
    if bool(goal) == bool(key_result):
        raise ValidationError({"key_result": _("Give either a key result or a goal.")})
    field, raw = ("key_result", key_result) if key_result else ("goal", goal)
    if not is_id(raw):
        raise ValidationError({field: _("A valid integer is required.")})
    if key_result:
        kr = (
            KeyResult.objects.select_related("goal__owner_person__unit", "goal__owner_unit")
            .filter(pk=raw)
            .first()
        )
        if kr is None or not permissions.can_see_goal_for_retros(viewer, kr.goal):
            raise Http404
        return None, kr
    found = (
        Goal.objects.select_related("owner_person__unit", "owner_unit")
        .prefetch_related("key_results")
        .filter(pk=raw)
        .first()
    )
    if found is None or not permissions.can_see_goal_for_retros(viewer, found):
        raise Http404
    return found, None
