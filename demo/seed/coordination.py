"""Demo data for working across units: Sales asks Marketing for 300 qualified leads (a support
request waiting for Marketing's head), a sales rep's check-in comment that mentions her
manager, the Q4 alignment meeting with its decisions and actions (one for the rep, shown in
her next check-in), and a customer-onboarding task force of Sales and Customer Support whose
progress shows on its members' homes. Made through the services, so notifications are real.
Idempotent: the leads goal is found by owner, cycle and title, the request by its two goals,
the comment by its check-in, the meeting by its title and cycle, the task force by its name
and cycle."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from coordination import services as coordination_services
from coordination.models import Comment, Meeting, TargetKind, TaskForce
from demo.seed.context import DemoContext
from goals import services as goal_services
from goals.models import Cycle, Goal, Measurement, SupportRequest
from tracking.models import CheckIn

LEADS_GOAL = "Qualified leads for Sales"
NEED = "300 qualified leads from the autumn campaigns, handed over by mid-December"
COMMENT = "Two large deals slipped to January. @manager can we go through pricing on Monday?"
MEETING = "Q4 alignment: Sales and Marketing"
DECISIONS = (
    "1. Marketing hands Sales 300 qualified leads by mid-December; a lead counts as qualified "
    "once a sales rep has confirmed budget and a decision maker.\n"
    "2. Sales follows up every webinar lead within 48 hours and reports the conversion weekly."
)


TASK_FORCE = "Customer onboarding"
TASK_FORCE_PURPOSE = (
    "Get every new customer live within 14 days of signing: Sales hands over a complete "
    "account plan, Customer Support runs the first-value session."
)
TASK_FORCE_GOAL = "New customers live within 14 days"


def _quarter(ctx: DemoContext) -> Cycle | None:
    return Cycle.objects.filter(
        kind=Cycle.Kind.QUARTER, starts_on__lte=ctx.today, ends_on__gte=ctx.today
    ).first()


def _leads_goal(ctx: DemoContext, quarter: Cycle, sales_goal: Goal) -> Goal | None:
    marketing = ctx.units.get("marketing")
    if marketing is None or marketing.head_id is None:
        return None
    goal = Goal.objects.filter(cycle=quarter, owner_unit=marketing, title=LEADS_GOAL).first()
    if goal is not None:
        return goal
    goal = goal_services.create_goal(
        actor=marketing.head,
        cycle=quarter,
        title=LEADS_GOAL,
        level=Goal.Level.UNIT,
        owner_unit=marketing,
        parent=sales_goal.parent,
        category="online promotion",
        key_results=[
            {
                "name": "Qualified leads handed to Sales",
                "metric": "qualified-leads",
                "unit": "leads",
                "start_value": Decimal("0"),
                "target_value": Decimal("600"),
            }
        ],
        starts_on=quarter.starts_on,
    )
    goal_services.propose_goal(actor=marketing.head, goal=goal)
    admin = ctx.people.get("admin")
    if admin is not None:
        goal_services.agree_goal(actor=admin, goal=Goal.objects.get(pk=goal.pk))
    return Goal.objects.get(pk=goal.pk)


@transaction.atomic
def seed(ctx: DemoContext) -> None:
    if ctx.synthetic:
        return
    quarter = _quarter(ctx)
    sales, manager = ctx.units.get("sales"), ctx.people.get("manager")
    if quarter is None or sales is None or manager is None:
        return
    sales_goal = (
        Goal.objects.filter(cycle=quarter, owner_unit=sales, level=Goal.Level.UNIT)
        .order_by("pk")
        .first()
    )
    if sales_goal is None:
        return
    leads = _leads_goal(ctx, quarter, sales_goal)
    if (
        leads is not None
        and not SupportRequest.objects.filter(goal=sales_goal, supporting_goal=leads).exists()
    ):
        goal_services.request_support(
            actor=manager,
            goal=sales_goal,
            supporting_goal=leads,
            key_result=leads.key_results.order_by("pk").first(),
            need=NEED,
            amount=Decimal("300"),
        )
    _meeting(ctx, quarter, sales_goal, leads)
    _task_force(ctx, quarter)
    employee = ctx.people.get("employee")
    check_in = (
        CheckIn.objects.filter(person=employee, state=CheckIn.State.SUBMITTED)
        .order_by("-week")
        .first()
        if employee is not None
        else None
    )
    if (
        check_in is not None
        and not Comment.objects.filter(
            target_kind=TargetKind.CHECK_IN, target_id=check_in.pk
        ).exists()
    ):
        coordination_services.post_comment(
            actor=employee, kind=TargetKind.CHECK_IN, target_id=check_in.pk, text=COMMENT
        )


def _meeting(ctx: DemoContext, quarter: Cycle, sales_goal: Goal, leads: Goal | None) -> None:
    admin, manager, employee = (ctx.people.get(k) for k in ("admin", "manager", "employee"))
    marketing = ctx.units.get("marketing")
    head = marketing.head if marketing is not None else None
    if None in (admin, manager, employee, head):
        return
    if Meeting.objects.filter(title=MEETING, cycle=quarter).exists():
        return
    coordination_services.record_meeting(
        actor=admin,
        kind=Meeting.Kind.ALIGNMENT,
        title=MEETING,
        held_on=ctx.today - dt.timedelta(days=2),
        cycle=quarter,
        source=Meeting.Source.ALIGNMENT_REVIEW,
        decisions=DECISIONS,
        participants=[admin, manager, head, employee],
        goals=[g for g in (sales_goal, leads) if g is not None],
        actions=[
            {
                "text": "Agree with Sales what counts as a qualified lead",
                "owner": head,
                "due_on": ctx.today + dt.timedelta(days=3),
            },
            {
                "text": "Follow up the webinar leads within 48 hours",
                "owner": employee,
                "due_on": ctx.today + dt.timedelta(days=5),
            },
        ],
    )


def _task_force(ctx: DemoContext, quarter: Cycle) -> None:
    """Sales' head sets up the task force: Key Accounts' lead leads it, with the sales rep, the
    head of Customer Support and a support specialist; its goal is agreed and measured."""
    manager, admin = ctx.people.get("manager"), ctx.people.get("admin")
    lead = ctx.people.get("sun.li")
    members = [ctx.people.get(k) for k in ("employee", "huang.yu", "support.1")]
    members = [p for p in members if p is not None]
    if None in (manager, admin, lead) or not members:
        return
    if TaskForce.objects.filter(unit__name=TASK_FORCE, cycle=quarter).exists():
        return
    task_force = coordination_services.create_task_force(
        actor=manager,
        name=TASK_FORCE,
        purpose=TASK_FORCE_PURPOSE,
        cycle=quarter,
        lead=lead,
        members=members,
    )
    goal = goal_services.create_goal(
        actor=lead,
        cycle=quarter,
        title=TASK_FORCE_GOAL,
        level=Goal.Level.UNIT,
        owner_unit=task_force.unit,
        visibility=Goal.Visibility.UNIT,
        category="customer success",
        key_results=[
            {
                "name": "Share of new customers live within 14 days",
                "metric": "onboarded-in-14-days",
                "unit": "%",
                "start_value": Decimal("40"),
                "target_value": Decimal("90"),
            }
        ],
        starts_on=quarter.starts_on,
    )
    goal_services.propose_goal(actor=lead, goal=goal)
    goal_services.agree_goal(actor=admin, goal=Goal.objects.get(pk=goal.pk))
    goal_services.record_measurements(
        values=[(goal.key_results.get(), Decimal("62"), "")],
        source=Measurement.Source.MANUAL,
        recorded_by=lead,
    )
