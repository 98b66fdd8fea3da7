"""Measure the server time of submitting the This-week page with five key results.

    python manage.py measure_check_in [--runs 10]

Each run builds a throwaway person with one goal of five key results in an active cycle,
posts the page through the full middleware stack (Django's test client, in-process), then
renders the page again; everything is rolled back afterwards. Prints the median times."""

import datetime as dt
import statistics
import time
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from goals.models import Cycle, Goal
from goals.services import create_goal
from org.models import Person, Unit


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Print the server time of submitting the This-week page with 5 key results."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=10)

    def handle(self, *args, runs: int, **options):
        submit, render, queries = [], [], []
        for run in range(runs):
            try:
                with transaction.atomic():
                    s, r, q = self._once(run)
                    submit.append(s)
                    render.append(r)
                    queries.append(q)
                    raise Rollback
            except Rollback:
                pass
        self.stdout.write(
            f"submit (POST, 5 key results): median {statistics.median(submit):.1f} ms, "
            f"min {min(submit):.1f} ms, {queries[0]} queries; "
            f"page render (GET): median {statistics.median(render):.1f} ms "
            f"[{runs} runs, {connection.vendor}]"
        )

    def _once(self, run: int):
        today = timezone.localdate()
        unit = Unit(name=f"Timing {run}")
        unit.save()
        user = get_user_model().objects.create_user(f"timing-{run}-{time.time_ns()}")
        person = Person.objects.create(user=user, display_name="Timing", unit=unit)
        cycle = Cycle.objects.create(
            name="Timing",
            kind=Cycle.Kind.QUARTER,
            starts_on=today - dt.timedelta(days=30),
            ends_on=today + dt.timedelta(days=60),
            state=Cycle.State.ACTIVE,
        )
        goal = create_goal(
            actor=person,
            cycle=cycle,
            title="Timing goal",
            level=Goal.Level.PERSON,
            owner_person=person,
            key_results=[
                {"name": f"KR {i}", "target_value": Decimal(100), "start_value": Decimal(0)}
                for i in range(5)
            ],
        )
        data = {"done": "Work", "plan": "More work", "check": "", "act": "", "blockers": ""}
        for kr in goal.key_results.all():
            data |= {
                f"kr-{kr.pk}-value": "40",
                f"kr-{kr.pk}-confidence": "on_track",
                f"kr-{kr.pk}-note": "",
                f"kr-{kr.pk}-cause": "",
                f"kr-{kr.pk}-action": "",
            }
        client = Client()
        client.force_login(user)
        client.get("/tracking/")  # warm up
        count = [0]

        def counter(execute, sql, params, many, context):
            count[0] += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            started = time.perf_counter()
            response = client.post("/tracking/", data)
            submit_ms = (time.perf_counter() - started) * 1000
        assert response.status_code == 302, response.content[:500]
        started = time.perf_counter()
        response = client.get("/tracking/")
        render_ms = (time.perf_counter() - started) * 1000
        assert response.status_code == 200
        return submit_ms, render_ms, count[0]
