"""Demo data for retros: the sales retrospective of the previous quarter with the classic
5-Why chain, and a handful of lessons in Chinese and English. Idempotent: everything is found
by its title before it is created."""

from __future__ import annotations

import datetime as dt

from demo.seed.context import DemoContext
from goals.models import Cycle
from retros import services
from retros.models import Lesson, Retrospective

FIVE_WHYS = {
    "problem": "Sales below target: 71% of the quarter's revenue goal",
    "whys": [
        "Too few new customers: 38 against a target of 60",
        "Low lead conversion: 6% of qualified leads signed, against 12% a year ago",
        "The pitch is not tailored: every customer group hears the same presentation",
        "There is no tailored playbook per customer group",
        "The training system is incomplete: new reps learn the pitch by shadowing only",
    ],
    "countermeasure": "Build a sales training system with one playbook per customer group "
    "(young consumers, small businesses, key accounts) and certify every rep on it",
}

# (author username, title, category, context, problem, what worked, solution, tags, unit key,
#  effectiveness)
LESSONS = [
    (
        "wu.jie",
        "短视频引流+社群转化 works for young customers",
        "online promotion",
        "Customers under 30 ignored our search ads; cost per lead rose 40% in one quarter.",
        "Paid search brought clicks but few sign-ups from young customers.",
        "短视频引流（每周三条产品短视频）+ 社群转化（企业微信社群，每日答疑和限时优惠）。"
        "Short videos brought young leads and the community converted 18% of them.",
        "Publish three short product videos a week and invite every lead into a community "
        "group run by one sales rep.",
        ["短视频", "社群", "young customers"],
        "marketing-growth",
        5,
    ),
    (
        "zhou.min",
        "短视频引流+社群转化：年轻客户获客组合拳",
        "online promotion",
        "二十五岁以下客户对搜索广告几乎无反应，获客成本一个季度上涨百分之四十。",
        "年轻客户线索少，转化率低。",
        "用短视频引流，再通过社群转化：每周三条短视频，社群每天答疑，转化率翻倍。",
        "固定短视频发布节奏，社群由专人运营，每周复盘线索到成交的转化漏斗。",
        ["短视频", "社群", "年轻客户"],
        "marketing",
        5,
    ),
    (
        "grace.kim",
        "Short videos plus a customer community convert young buyers",
        "online promotion",
        "Brand campaign for the spring launch aimed at customers aged 18 to 30.",
        "Display ads reached young customers but almost none converted.",
        "Short videos drove leads to a community group where questions were answered "
        "the same day; conversion doubled.",
        "Pair every short video campaign with a community group and a named host.",
        ["short video", "community", "young customers"],
        "marketing-brand",
        4,
    ),
    (
        "manager",
        "A tailored pitch playbook per customer group lifts conversion",
        "sales",
        "Inside Sales missed the quarter: 38 new customers against 60.",
        "Lead conversion fell to 6% because every customer group heard the same pitch.",
        "Two reps who adapted the pitch to small businesses converted twice as often.",
        "Write one playbook per customer group and train every rep on it before the quarter.",
        ["pitch", "playbook", "conversion"],
        "sales",
        4,
    ),
    (
        "sun.li",
        "按客户群体定制销售话术手册",
        "sales",
        "大客户组上季度新签客户不足，线索转化率只有百分之六。",
        "所有客户群体使用同一套话术，缺乏针对性。",
        "针对小微企业和大客户分别准备话术后，试点销售的转化率提高一倍。",
        "为每个客户群体编写话术手册，新人上岗前完成培训和考核。",
        ["话术", "培训", "转化率"],
        "sales-key",
        4,
    ),
    (
        "manager",
        "Referral rewards double new-customer sign-ups",
        "sales",
        "Small-business customers trust recommendations from peers.",
        "Cold calls produced few new customers.",
        "Offering existing customers one free month per referral doubled sign-ups.",
        "Run the referral reward every quarter and track referred customers separately.",
        ["referral", "new customers"],
        "sales-inside",
        3,
    ),
    (
        "lin.na",
        "结构化面试降低误招率",
        "hiring",
        "销售团队扩招，半年内离职率偏高。",
        "面试问题因人而异，评价标准不一致。",
        "采用四个固定问题和统一评分表后，试用期淘汰率下降一半。",
        "所有岗位使用结构化面试和评分表，面试官先培训再上岗。",
        ["面试", "招聘"],
        "hr",
        4,
    ),
    (
        "wu.jie",
        "直播带货：固定时段比临时开播转化更高",
        "online promotion",
        "每周直播两场，时间不固定。",
        "观众难以养成观看习惯，转化不稳定。",
        "固定每周二、周四晚八点开播，并提前在社群预告，转化率提升百分之三十。",
        "固定直播时段，直播前一天社群预告，直播后发回放短视频。",
        ["直播", "社群"],
        "marketing-growth",
        3,
    ),
]


def _previous_quarter(today: dt.date) -> Cycle | None:
    first_month = 3 * ((today.month - 1) // 3) + 1
    current_start = dt.date(today.year, first_month, 1)
    return (
        Cycle.objects.filter(kind=Cycle.Kind.QUARTER, ends_on__lt=current_start)
        .order_by("-ends_on")
        .first()
    )


def _retrospective(ctx: DemoContext) -> Retrospective | None:
    cycle = _previous_quarter(ctx.today)
    if cycle is None:
        return None
    sales, manager = ctx.units["sales"], ctx.people["manager"]
    retro = Retrospective.objects.filter(cycle=cycle, unit=sales).first()
    if retro is not None:
        return retro
    retro = services.create_retrospective(
        actor=manager,
        cycle=cycle,
        unit=sales,
        participants=[ctx.people["employee"], ctx.people["sun.li"], ctx.people["hrbp"]],
        title=f"Sales · {cycle.name}",
    )
    services.update_retrospective(
        actor=manager,
        retro=retro,
        reasons="Too few new customers: lead volume was fine, conversion was not. "
        "Check-ins named low conversion and not enough leads most weeks.",
        what_worked="Referral rewards doubled sign-ups from small businesses; two reps who "
        "tailored their pitch converted twice as often.",
        improvements="One playbook per customer group; certify every rep; keep referrals.",
    )
    services.save_five_why(
        actor=manager,
        retrospective=retro,
        problem=FIVE_WHYS["problem"],
        whys=FIVE_WHYS["whys"],
        countermeasure=FIVE_WHYS["countermeasure"],
        countermeasure_owner=manager,
        countermeasure_due_on=cycle.ends_on + dt.timedelta(days=45),
    )
    services.add_improvement(
        actor=manager,
        retro=retro,
        description="Keep the referral reward running every quarter",
        owner=ctx.people["employee"],
        due_on=cycle.ends_on + dt.timedelta(days=30),
    )
    services.hold_retrospective(actor=manager, retro=retro)
    return services.publish_retrospective(actor=manager, retro=retro)


def seed(ctx: DemoContext) -> None:
    if ctx.synthetic:
        return  # the knowledge base needs no scale data; bench_lessons_search makes its own
    retro = _retrospective(ctx)
    existing = set(Lesson.objects.values_list("title", flat=True))
    for author, title, category, context, problem, worked, solution, tags, unit, rating in LESSONS:
        if title in existing:
            continue
        from_retro = retro if (retro is not None and unit == "sales") else None
        services.create_lesson(
            actor=ctx.people[author],
            title=title,
            category=category,
            context=context,
            problem=problem,
            what_worked=worked,
            solution=solution,
            tags=tags,
            unit=ctx.units[unit],
            effectiveness=rating,
            source_retrospective=from_retro,
            publish=True,
        )
    draft_title = "Notes: follow up trade-show leads within 48 hours"
    if draft_title not in existing:
        services.create_lesson(
            actor=ctx.people["employee"],
            title=draft_title,
            category="sales",
            problem="Leads from the autumn trade show went cold before we called.",
            tags=["leads"],
            unit=ctx.units["sales-inside"],
        )
