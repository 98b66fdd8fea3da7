"""The three review forms Keel ships: frontline, manager and executive. Each has the sections
results, competencies and behaviours, attitude (titles and guidance fitting the level) and the
1–5 scale's anchored descriptions, in English and Simplified Chinese. Written once; admins may
edit them afterwards (a rerun never overwrites an edited template). Reviews that exist already
get the form of their level."""

from django.db import migrations


def t(en, zh):
    return {"en": en, "zh-hans": zh}


TEMPLATES = [
    {
        "key": "frontline",
        "level": "frontline",
        "names": t("Frontline review", "一线员工绩效评估"),
        "sections": [
            {
                "key": "results",
                "title": t("Results", "业绩结果"),
                "guidance": t(
                    "Your own goals and key results: attainment, quality, and how the numbers "
                    "moved week by week.",
                    "个人目标与关键结果：达成率、质量，以及每周数据的变化。",
                ),
            },
            {
                "key": "competencies",
                "title": t("Skills and ways of working", "专业能力与工作方式"),
                "guidance": t(
                    "Job skills, customer focus, planning the week, cooperation with colleagues.",
                    "岗位技能、客户导向、周计划执行、与同事协作。",
                ),
            },
            {
                "key": "attitude",
                "title": t("Attitude", "工作态度"),
                "guidance": t(
                    "Ownership, reliability, honest check-ins, willingness to learn.",
                    "主人翁意识、可靠、如实签到、主动学习。",
                ),
            },
        ],
        "anchors": {
            "1": t(
                "Most own goals missed by far; basic ways of working need urgent change.",
                "大部分个人目标严重未达成；基本工作方式急需改进。",
            ),
            "2": t(
                "Several own goals missed; needs close guidance on skills or reliability.",
                "多个个人目标未达成；在技能或可靠性上需要密切指导。",
            ),
            "3": t(
                "Own goals reached; works as the role needs, with little guidance.",
                "个人目标达成；按岗位要求工作，只需少量指导。",
            ),
            "4": t(
                "Own goals exceeded; helps teammates and improves how the team works.",
                "个人目标超额完成；帮助同事，改进团队的工作方式。",
            ),
            "5": t(
                "Far beyond own goals; an example the whole organisation learns from.",
                "远超个人目标；是全公司学习的榜样。",
            ),
        },
    },
    {
        "key": "manager",
        "level": "manager",
        "names": t("Manager review", "管理者绩效评估"),
        "sections": [
            {
                "key": "results",
                "title": t("Team results", "团队业绩"),
                "guidance": t(
                    "The team's goals and key results, their alignment with the unit above, "
                    "and the manager's own goals.",
                    "团队目标与关键结果、与上级单位目标的对齐，以及管理者本人的目标。",
                ),
            },
            {
                "key": "competencies",
                "title": t("Leading and developing people", "带领与培养团队"),
                "guidance": t(
                    "Weekly reviews and feedback, improvement plans, coaching, hiring and "
                    "growing people, coordination with other units.",
                    "每周复盘与反馈、改进计划、辅导、招聘与培养人才、跨部门协作。",
                ),
            },
            {
                "key": "attitude",
                "title": t("Ownership and example", "担当与表率"),
                "guidance": t(
                    "Takes responsibility for the team's shortfalls, fair judgement, lives "
                    "the organisation's values.",
                    "为团队的不足承担责任、评价公正、践行公司价值观。",
                ),
            },
        ],
        "anchors": {
            "1": t(
                "The team missed most goals by far; people were not led or developed.",
                "团队大部分目标严重未达成；未能带领和培养团队。",
            ),
            "2": t(
                "The team missed several goals; feedback and follow-up were irregular.",
                "团队多个目标未达成；反馈与跟进不规律。",
            ),
            "3": t(
                "The team reached its goals; regular reviews, fair feedback, plans followed up.",
                "团队达成目标；定期复盘、反馈公正、改进计划有跟进。",
            ),
            "4": t(
                "The team exceeded its goals; people grew and other units count on the team.",
                "团队超额完成目标；成员得到成长，其他部门信赖该团队。",
            ),
            "5": t(
                "Outstanding team results and a bench of grown leaders; a model for managers.",
                "团队业绩卓越并培养出后备骨干；是管理者的标杆。",
            ),
        },
    },
    {
        "key": "executive",
        "level": "executive",
        "names": t("Executive review", "高管绩效评估"),
        "sections": [
            {
                "key": "results",
                "title": t("Business results", "经营业绩"),
                "guidance": t(
                    "The organisation's or division's goals: growth, profit, strategic "
                    "milestones, and the cascade below them.",
                    "公司或事业部目标：增长、利润、战略里程碑，以及向下的目标分解。",
                ),
            },
            {
                "key": "competencies",
                "title": t("Strategic leadership", "战略领导力"),
                "guidance": t(
                    "Direction and priorities, decisions under uncertainty, building the "
                    "organisation and its leaders, cross-unit alignment.",
                    "方向与优先级、不确定中的决策、组织与领导梯队建设、跨部门对齐。",
                ),
            },
            {
                "key": "attitude",
                "title": t("Values and culture", "价值观与文化"),
                "guidance": t(
                    "Integrity, accountability for the whole organisation, the culture the "
                    "executive builds.",
                    "诚信正直、对整个组织负责、所塑造的文化。",
                ),
            },
        ],
        "anchors": {
            "1": t(
                "Strategic goals missed by far; direction unclear, the organisation drifts.",
                "战略目标严重未达成；方向不清，组织失去方向。",
            ),
            "2": t(
                "Several strategic goals missed; priorities or alignment need correction.",
                "多个战略目标未达成；优先级或对齐需要纠正。",
            ),
            "3": t(
                "Strategic goals reached; clear direction, aligned units, sound decisions.",
                "战略目标达成；方向清晰、各部门对齐、决策稳健。",
            ),
            "4": t(
                "Strategic goals exceeded; the organisation grew stronger and leaders grew.",
                "战略目标超额完成；组织更强大，领导者得到成长。",
            ),
            "5": t(
                "Transformative results for the organisation; an example across the industry.",
                "为组织带来变革性成果；是行业内的标杆。",
            ),
        },
    },
]


def ship(apps, schema_editor):
    FormTemplate = apps.get_model("reviews", "FormTemplate")
    Review = apps.get_model("reviews", "Review")
    for data in TEMPLATES:
        template, _created = FormTemplate.objects.get_or_create(key=data["key"], defaults=data)
        # Reviews made before forms existed read the form of their level.
        Review.objects.filter(form__isnull=True, level=data["level"]).update(form=template)


def unship(apps, schema_editor):
    FormTemplate = apps.get_model("reviews", "FormTemplate")
    Review = apps.get_model("reviews", "Review")
    keys = [data["key"] for data in TEMPLATES]
    ReviewCycle = apps.get_model("reviews", "ReviewCycle")
    Review.objects.filter(form__key__in=keys).update(form=None)
    for field in ("frontline_form", "manager_form", "executive_form"):
        ReviewCycle.objects.filter(**{f"{field}__key__in": keys}).update(**{field: None})
    FormTemplate.objects.filter(key__in=keys).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0002_form_templates_per_level"),
    ]

    operations = [migrations.RunPython(ship, unship)]
