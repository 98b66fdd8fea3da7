"""Read model of the HRBP alignment review: one row per finding of the checklist
(`goals.selectors_alignment.CHECKS`), kept by `goals.services.alignment_findings` and rebuilt
from scratch by `manage.py rebuild_rollups`, which reports drift.

A row belongs to a goal (orphans, cascade gaps, not agreed, key-result weights, late children,
SMART), to a person (no goals, too many objectives, goal weights: `goal` is the person's first
goal when the finding names one) or, for cross-unit goals without support, to a sub-unit of
the unit whose review lists it (`review_unit`). `owner_path` is the unit path of the goal's
owner, of the person's unit or of the sub-unit, so a review reads its subtree with one indexed
`owner_path LIKE 'path%'` and the cycle. The text is stored in every language of the site,
as the checks word it."""

from __future__ import annotations

from django.db import models

from org.models import Person, Unit

from .cycles import Cycle
from .goal import Goal


class AlignmentFinding(models.Model):
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)  # a key of selectors_alignment.CHECKS
    rank = models.PositiveSmallIntegerField()  # the kind's place in the checklist
    goal = models.ForeignKey(Goal, null=True, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, null=True, on_delete=models.CASCADE, related_name="+")
    # Cross-unit: the sub-unit with nothing aligned to or supporting the goal, and the unit
    # whose review checks it (its parent, or itself when it has no sub-units).
    unit = models.ForeignKey(Unit, null=True, on_delete=models.CASCADE, related_name="+")
    review_unit = models.ForeignKey(Unit, null=True, on_delete=models.CASCADE, related_name="+")
    owner_path = models.CharField(max_length=1000)
    sort_title = models.CharField(max_length=300, default="")  # the goal's or person's name
    seq = models.PositiveSmallIntegerField(default=0)  # order among one goal's findings
    message = models.JSONField(default=dict)  # {language code: text}

    class Meta:
        indexes = [
            models.Index(
                fields=["cycle", "owner_path"],
                name="finding_cycle_owner_path",
                opclasses=["int8_ops", "varchar_pattern_ops"],
            ),
            models.Index(fields=["goal", "kind"], name="finding_goal_kind"),
            models.Index(fields=["person", "cycle"], name="finding_person_cycle"),
            models.Index(fields=["review_unit", "cycle"], name="finding_review_unit_cycle"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} · {self.cycle_id} · {self.text()}"

    def text(self, language: str | None = None) -> str:
        from django.utils.translation import get_language

        language = (language or get_language() or "en").lower()
        return (
            self.message.get(language)
            or self.message.get(language.split("-")[0])
            or next(iter(self.message.values()), "")
        )
