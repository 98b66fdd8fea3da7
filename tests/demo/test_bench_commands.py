"""The benchmark commands run, on small numbers."""

from io import StringIO

import pytest
from django.core.management import call_command

from retros.models import Lesson

pytestmark = pytest.mark.usefixtures("retros_day")


def test_bench_command_runs_and_cleans_up(company):
    out = StringIO()
    call_command("bench_lessons_search", count=40, repeat=2, cleanup=True, stdout=out)
    text = out.getvalue()
    assert "created 40 lessons" in text and "'short video'" in text
    assert "cleaned up" in text
    assert not Lesson.objects.filter(category="bench-search").exists()
