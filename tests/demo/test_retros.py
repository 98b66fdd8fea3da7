import datetime as dt

import pytest

from demo.seed import retros as retros_seed
from demo.seed.org import seed_company
from retros.models import Lesson, Retrospective
from tests.retros.factories import CycleFactory

pytestmark = pytest.mark.usefixtures("retros_day")


def test_demo_seeds_the_sales_retro_and_lessons_idempotently(db):
    ctx = seed_company()
    # The goals demo makes the closed previous quarter; here the test does.
    CycleFactory(name="2026 Q3", starts_on=dt.date(2026, 7, 1), ends_on=dt.date(2026, 9, 30))
    retros_seed.seed(ctx)
    retros_seed.seed(ctx)
    retro = Retrospective.objects.get()
    assert retro.state == "published" and retro.unit == ctx.units["sales"]
    analysis = retro.five_whys.get()
    assert analysis.levels.count() == 5
    assert analysis.root_cause.startswith("The training system is incomplete")
    assert retro.actions.count() == 2
    assert Lesson.objects.count() == len(retros_seed.LESSONS) + 1
    assert Lesson.objects.filter(state="draft").count() == 1
    assert Lesson.objects.filter(source_retrospective=retro).exists()
    zh = Lesson.objects.get(title="短视频引流+社群转化 works for young customers")
    assert "视频" in zh.search_document.split()


def test_demo_without_previous_quarter_still_seeds_lessons(db):
    ctx = seed_company()
    retros_seed.seed(ctx)
    assert not Retrospective.objects.exists()
    assert Lesson.objects.filter(state="published").count() == len(retros_seed.LESSONS)
