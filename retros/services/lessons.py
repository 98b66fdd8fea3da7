"""Lessons: the knowledge base entries, their search index and the suggestion counter."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.postgres.search import SearchVector
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from org import scopes
from org.models import Person, Unit
from retros import permissions, search
from retros.models import Lesson, LessonTag, Retrospective
from tracking.models import KeyResultUpdate

MAX_TAGS = 10
TEXT_FIELDS = ("title", "category", "context", "problem", "what_worked", "solution")


def _clean_tags(tags: Iterable[str] | None) -> list[str]:
    if tags is None:
        return []
    if isinstance(tags, str):
        tags = tags.split(",")
    result: dict[str, str] = {}
    for tag in tags:
        if not isinstance(tag, str):
            raise ValidationError({"tags": _("Tags are words or short phrases.")})
        tag = " ".join(tag.split())
        if not tag:
            continue
        if len(tag) > 50:
            raise ValidationError({"tags": _("A tag has at most 50 characters.")})
        result.setdefault(tag.casefold(), tag)
    if len(result) > MAX_TAGS:
        raise ValidationError({"tags": _("At most %(n)d tags.") % {"n": MAX_TAGS}})
    return list(result.values())


def refresh_search_vectors(queryset: QuerySet[Lesson]) -> None:
    """PostgreSQL: rebuild the tsvector from the segmented columns (title weighs A)."""
    if search.is_postgres():
        queryset.update(
            search_vector=SearchVector("search_title", weight="A", config="simple")
            + SearchVector("search_document", weight="B", config="simple")
        )


def _index(lesson: Lesson, tags: list[str]) -> None:
    lesson.search_title = search.document(lesson.title)
    lesson.search_document = search.document(
        lesson.title,
        lesson.category,
        lesson.context,
        lesson.problem,
        lesson.what_worked,
        lesson.solution,
        " ".join(tags),
    )
    Lesson.objects.filter(pk=lesson.pk).update(
        search_title=lesson.search_title, search_document=lesson.search_document
    )
    refresh_search_vectors(Lesson.objects.filter(pk=lesson.pk))


def reindex_lesson(*, lesson: Lesson) -> None:
    """Rebuild a lesson's search document and vector (after an edit outside the services,
    e.g. in the admin)."""
    _index(lesson, lesson.tag_names)


def _set_tags(lesson: Lesson, tags: list[str]) -> None:
    lesson.tags.all().delete()
    LessonTag.objects.bulk_create(LessonTag(lesson=lesson, name=t) for t in tags)


def _check_publishable(lesson: Lesson) -> None:
    if not (lesson.problem or lesson.what_worked or lesson.solution):
        raise ValidationError(
            _("Describe the problem, what worked or the solution before publishing.")
        )


def lesson_initial_from_retrospective(retro: Retrospective, *, viewer: Person) -> dict:
    """Pre-filled lesson fields from a retrospective: its scope and results (the goals the
    viewer may see) as the context, the reasons and root causes as the problem, what worked,
    and the improvements and countermeasures as the solution; cause tags become tags."""
    goals = permissions.visible_results(viewer, retro).get("goals", [])
    lines = [f"{retro.scope_name} · {retro.cycle.name}"]
    for goal in goals[:5]:
        for kr in goal["key_results"][:3]:
            lines.append(
                _("%(name)s: %(actual)s of %(target)s (%(pct)d%%)")
                % {
                    "name": kr["name"],
                    "actual": kr["actual"].rstrip("0").rstrip("."),
                    "target": kr["target"].rstrip("0").rstrip("."),
                    "pct": round(kr["attainment"] * 100),
                }
            )
    analyses = list(retro.five_whys.all())
    problem = "\n".join(
        [retro.reasons, *(_("Root cause: %(cause)s") % {"cause": a.root_cause} for a in analyses)]
    ).strip()
    solution = "\n".join(
        [retro.improvements, *(a.countermeasure for a in analyses if a.countermeasure)]
    ).strip()
    goal_ids = [g["id"] for g in goals]
    causes = (
        KeyResultUpdate.objects.filter(key_result__goal_id__in=goal_ids, cause__isnull=False)
        .select_related("cause")
        .distinct()
    )
    tags = sorted({u.cause.display_label for u in causes})[:MAX_TAGS]
    unit = retro.unit
    if unit is None and retro.goal_id:
        goal = retro.goal
        unit = goal.owner_unit or goal.owner_person.unit
    return {
        "title": retro.title,
        "category": retro.goal.category if retro.goal_id else "",
        "context": "\n".join(lines),
        "problem": problem,
        "what_worked": retro.what_worked,
        "solution": solution,
        "tags": tags,
        "unit": unit,
        "source_retrospective": retro,
    }


@transaction.atomic
def create_lesson(
    *,
    actor: Person,
    title: str = "",
    category: str = "",
    context: str = "",
    problem: str = "",
    what_worked: str = "",
    solution: str = "",
    tags: Iterable[str] | None = None,
    source_retrospective: Retrospective | None = None,
    unit: Unit | None = None,
    effectiveness: int | None = None,
    publish: bool = False,
) -> Lesson:
    """A lesson (draft unless `publish`). From a retrospective the author can see, every field
    left blank is pre-filled from it."""
    values = {
        "title": title,
        "category": category,
        "context": context,
        "problem": problem,
        "what_worked": what_worked,
        "solution": solution,
    }
    tag_list = _clean_tags(tags)
    if source_retrospective is not None:
        if not permissions.can_on_retrospective(actor, source_retrospective, "view"):
            raise ValidationError({"source_retrospective": _("Unknown retrospective.")})
        initial = lesson_initial_from_retrospective(source_retrospective, viewer=actor)
        for key in values:
            values[key] = (values[key] or "").strip() or initial[key]
        tag_list = tag_list or initial["tags"]
        unit = unit or initial["unit"]
    lesson = Lesson(
        **{k: (v or "").strip() for k, v in values.items()},
        source_retrospective=source_retrospective,
        unit=unit,
        effectiveness=effectiveness,
        author=actor,
    )
    if publish:
        _check_publishable(lesson)
        lesson.state = Lesson.State.PUBLISHED
        lesson.published_at = timezone.now()
    lesson.full_clean()
    lesson.save()
    _set_tags(lesson, tag_list)
    _index(lesson, tag_list)
    return lesson


def _require_edit(actor: Person, lesson: Lesson) -> None:
    if lesson.author_id != actor.pk and not (
        scopes.is_admin(actor) and lesson.state == Lesson.State.PUBLISHED
    ):
        raise PermissionDenied(_("Only the author can change this lesson."))


@transaction.atomic
def update_lesson(*, actor: Person, lesson: Lesson, tags=None, **fields) -> Lesson:
    """Change a lesson's text, category, unit, rating or tags; the index follows."""
    _require_edit(actor, lesson)
    allowed = {*TEXT_FIELDS, "unit", "effectiveness"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in unknown})
    for name, value in fields.items():
        setattr(lesson, name, value.strip() if isinstance(value, str) else value)
    if lesson.state == Lesson.State.PUBLISHED:
        _check_publishable(lesson)
    lesson.full_clean()
    lesson.save()
    tag_list = _clean_tags(tags) if tags is not None else lesson.tag_names
    if tags is not None:
        _set_tags(lesson, tag_list)
    _index(lesson, tag_list)
    return lesson


@transaction.atomic
def publish_lesson(*, actor: Person, lesson: Lesson) -> Lesson:
    """Draft → published: visible to the whole company."""
    if lesson.author_id != actor.pk:
        raise PermissionDenied(_("Only the author can publish this lesson."))
    if lesson.state == Lesson.State.PUBLISHED:
        raise ValidationError(_("This lesson is already published."))
    _check_publishable(lesson)
    lesson.state = Lesson.State.PUBLISHED
    lesson.published_at = timezone.now()
    lesson.save(update_fields=["state", "published_at", "updated_at"])
    return lesson


def record_suggestion_open(*, lesson: Lesson) -> None:
    """Someone opened the lesson from a "similar lessons" suggestion (one atomic increment)."""
    Lesson.objects.filter(pk=lesson.pk).update(
        opened_from_suggestion=F("opened_from_suggestion") + 1
    )
