"""Measure lesson search at scale.

    python manage.py bench_lessons_search [--count 50000] [--repeat 30] [--cleanup]

Bulk-creates `count` deterministic published lessons (Chinese and English, in their own marker
category "bench-search", so they are easy to find and remove), then times the knowledge-base
search the API runs (first page of 20 ranked results with snippets' terms, plus the total
count) for several queries, and prints p50/p95 per query and the PostgreSQL plan of one query,
which shows the GIN index in use. Re-running reuses the lessons already there."""

from __future__ import annotations

import random
import statistics
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from org.models import Person
from retros import search, selectors
from retros.models import Lesson
from retros.services import refresh_search_vectors

CATEGORY = "bench-search"

TOPICS_EN = [
    "short video",
    "community group",
    "referral reward",
    "trade show",
    "cold calling",
    "email campaign",
    "webinar series",
    "partner channel",
    "key account",
    "pricing test",
    "free trial",
    "onboarding buddy",
    "structured interview",
    "sales playbook",
    "pitch training",
    "customer success",
    "churn review",
    "upsell offer",
    "renewal call",
    "lead scoring",
    "landing page",
    "search ads",
    "content calendar",
    "product demo",
    "case study",
    "quarterly planning",
    "budget review",
    "hiring plan",
    "code review",
    "release train",
]
TOPICS_ZH = [
    "短视频引流",
    "社群转化",
    "直播带货",
    "老客户转介绍",
    "展会获客",
    "电话销售",
    "邮件营销",
    "线上讲座",
    "渠道合作",
    "大客户经营",
    "价格测试",
    "免费试用",
    "新人带教",
    "结构化面试",
    "销售话术",
    "话术培训",
    "客户成功",
    "流失复盘",
    "增购方案",
    "续约回访",
    "线索评分",
    "落地页优化",
    "搜索广告",
    "内容排期",
    "产品演示",
    "客户案例",
    "季度规划",
    "预算复盘",
    "招聘计划",
    "代码评审",
]
OUTCOMES_EN = [
    "doubled sign-ups",
    "cut cost per lead",
    "lifted conversion",
    "shortened ramp-up",
    "reduced churn",
    "raised order value",
]
OUTCOMES_ZH = [
    "转化率翻倍",
    "获客成本下降",
    "客单价提高",
    "上手时间缩短",
    "流失率下降",
    "线索质量提升",
]
GROUPS_EN = ["young customers", "small businesses", "key accounts", "new hires", "partners"]
GROUPS_ZH = ["年轻客户", "小微企业", "大客户", "新员工", "合作伙伴"]

QUERIES = [
    "短视频引流",
    "short video",
    "社群转化",
    "referral reward",
    "结构化面试",
    "pitch training",
]


def _p(values: list[float], pct: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


class Command(BaseCommand):
    help = "Bulk-create N lessons (marker category) and time ranked search over them."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=50_000)
        parser.add_argument("--repeat", type=int, default=30)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--cleanup", action="store_true", help="Delete the lessons after.")

    def handle(self, *args, count: int, repeat: int, seed: int, cleanup: bool, **options):
        author = Person.objects.select_related("user").order_by("pk").first()
        if author is None:
            raise CommandError("No people yet: run seed_demo first.")
        existing = Lesson.objects.filter(category=CATEGORY).count()
        if existing != count:
            Lesson.objects.filter(category=CATEGORY).delete()
            started = time.perf_counter()
            self._create(count, author, seed)
            if search.is_postgres():
                # What autovacuum does soon after a bulk load: fresh statistics.
                # (VACUUM cannot run inside a transaction, e.g. under a test.)
                command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
                with connection.cursor() as cursor:
                    cursor.execute(f"{command} retros_lesson")
            self.stdout.write(f"created {count} lessons in {time.perf_counter() - started:.1f}s")
        else:
            self.stdout.write(f"reusing {count} lessons")
        total = Lesson.objects.count()
        self.stdout.write(f"{total} lessons in the table; backend {connection.vendor}")
        self.stdout.write(
            f"{'query':22} {'matches':>7}  search: count + page of 20, p50/p95 (ms)"
            "  of which SQL, p50/p95 (ms)"
        )
        for query in QUERIES:
            selectors.search_lessons(viewer=author, query=query)  # warm-up (loads jieba once)
            total_ms, found = [], 0
            for _n in range(repeat):
                t0 = time.perf_counter()
                result = selectors.search_lessons(viewer=author, query=query)  # counts
                page = list(result.lessons[:20])  # ranked page, authors, units, tags
                total_ms.append((time.perf_counter() - t0) * 1000)
                found = len(result.lessons)
                assert page or not found
            sql_ms = self._sql_only(author, query, repeat)
            self.stdout.write(
                f"{query!r:22} {found:7d}  {_p(total_ms, 50):7.2f} / {_p(total_ms, 95):7.2f}"
                f"{'':24}{_p(sql_ms, 50):7.2f} / {_p(sql_ms, 95):7.2f}"
            )
        if search.is_postgres():
            result = selectors.search_lessons(viewer=author, query=QUERIES[0])
            self.stdout.write("\nEXPLAIN ANALYZE (first page of " + repr(QUERIES[0]) + "):")
            self.stdout.write(result.lessons[:20].explain(analyze=True))
        if cleanup:
            deleted, _detail = Lesson.objects.filter(category=CATEGORY).delete()
            self.stdout.write(f"cleaned up {deleted} rows")

    def _sql_only(self, author: Person, query: str, repeat: int) -> list[float]:
        """The database's share: the ranked page and the count as raw SQL, no ORM."""
        result = selectors.search_lessons(viewer=author, query=query)
        queryset = getattr(result.lessons, "queryset", None)
        if queryset is None:
            return [0.0]
        ids_sql, ids_params = queryset.order_by().values("pk").query.sql_with_params()
        statements = [
            queryset[:20].query.sql_with_params(),
            (f"SELECT count(*) FROM ({ids_sql}) AS matches", ids_params),
        ]
        timings = []
        with connection.cursor() as cursor:
            for _n in range(repeat):
                t0 = time.perf_counter()
                for sql, params in statements:
                    cursor.execute(sql, params)
                    cursor.fetchall()
                timings.append((time.perf_counter() - t0) * 1000)
        return timings

    @transaction.atomic
    def _create(self, count: int, author: Person, seed: int) -> None:
        rng = random.Random(seed)
        memo: dict[str, str] = {}

        def seg(*parts: str) -> str:
            out = []
            for part in parts:
                if part not in memo:
                    memo[part] = search.document(part)
                out.append(memo[part])
            return " ".join(filter(None, out))

        batch: list[Lesson] = []
        for i in range(count):
            chinese = i % 2 == 0
            topics, outcomes, groups = (
                (TOPICS_ZH, OUTCOMES_ZH, GROUPS_ZH)
                if chinese
                else (TOPICS_EN, OUTCOMES_EN, GROUPS_EN)
            )
            a, b = rng.sample(topics, 2)
            outcome, group = rng.choice(outcomes), rng.choice(groups)
            title = f"{a} {outcome} #{i}" if chinese else f"{a.capitalize()} {outcome} #{i}"
            worked = f"{a} + {b} for {group}" if not chinese else f"{a}，{b}，面向{group}"
            context = f"{group} {b}" if chinese else f"Work with {group} on {b}"
            batch.append(
                Lesson(
                    title=title,
                    category=CATEGORY,
                    context=context,
                    what_worked=worked,
                    author=author,
                    state=Lesson.State.PUBLISHED,
                    effectiveness=rng.randint(1, 5),
                    search_title=seg(a, outcome, str(i)),
                    search_document=seg(a, outcome, str(i), CATEGORY, context, worked),
                )
            )
            if len(batch) == 5000:
                Lesson.objects.bulk_create(batch)
                batch = []
        Lesson.objects.bulk_create(batch)
        refresh_search_vectors(Lesson.objects.filter(category=CATEGORY))
