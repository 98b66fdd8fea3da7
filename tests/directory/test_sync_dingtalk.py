"""Directory sync from DingTalk (钉钉) against its recorded contact API answers in a local fake
server (tests/directory/fake_dingtalk.py): the department tree is read level by level, the
people of every department page by page; a dry run prints the plan and changes nothing;
applying it updates the org chart with "sync:dingtalk" in the history, and a later answer
renames, moves and lets leavers go."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from directory.models import ExternalPerson, ExternalUnit
from goals.services import rollups
from org.models import Person, Unit
from tests.directory.fake_dingtalk import APP_SECRET, FakeDingTalk


@pytest.fixture
def dingtalk(settings):
    fake = FakeDingTalk().start()
    settings.KEEL_DIRECTORY_SYNC = {
        "dingtalk": {"app_key": "dingzq1v2rxk3y", "app_secret": APP_SECRET, "api_base": fake.url}
    }
    yield fake
    fake.stop()


def _run(*args) -> str:
    out = io.StringIO()
    call_command("sync_directory", "dingtalk", *args, stdout=out, stderr=out)
    return out.getvalue()


def test_dry_run_prints_the_plan_and_changes_nothing(company, dingtalk):
    units, people = Unit.objects.count(), Person.objects.count()
    output = _run("--dry-run")
    assert "Dry run: these changes would be made (dingtalk): 14" in output, output
    for line in (
        "unit created: 市场部 (under Acme)",
        "unit created: 产品部 (under Acme)",
        "unit created: 内容组 (under 市场部)",
        "person joined: 陈静 in Acme",
        "person joined: 周杰 in 市场部",
        "person joined: 吴敏 in 内容组",
        "person joined: 孙磊 in 产品部",
        "person linked: Dave (dave@example.com)",
        "person moved: Dave: Marketing → 内容组",
        "title changed: Dave: Sales representative → 文案",
        "manager changed: 周杰 → 陈静",
        "manager changed: 吴敏 → 周杰",
        "manager changed: Dave → 周杰",
        "manager changed: 孙磊 → 陈静",
    ):
        assert line in output, output
    assert (Unit.objects.count(), Person.objects.count()) == (units, people)
    assert not ExternalUnit.objects.exists() and not ExternalPerson.objects.exists()
    # The tree was read one level at a time and the content team's second page by its cursor,
    # every call with the token.
    listed = [r for r in dingtalk.requests if "department/listsub" in r]
    assert len(listed) == 4
    pages = [json.loads(r.split(" ", 2)[2]) for r in dingtalk.requests if "user/list" in r]
    assert {"dept_id": 487211230, "cursor": 1} in [
        {k: p[k] for k in ("dept_id", "cursor")} for p in pages
    ]


def test_applying_updates_the_org_chart_with_history(company, dingtalk):
    _run()
    marketing = Unit.objects.get(name="市场部")
    content = Unit.objects.get(name="内容组")
    assert marketing.parent == company["acme"] and content.parent == marketing
    chen = Person.objects.get(display_name="陈静")
    zhou = Person.objects.get(display_name="周杰")
    sun = Person.objects.get(display_name="孙磊")
    dave = Person.objects.get(pk=company["dave"].pk)
    assert (chen.unit, chen.title, chen.user.email) == (
        company["acme"],
        "总经理",
        "chen.jing@acme.example",
    )
    assert (zhou.unit, zhou.manager) == (marketing, chen)
    assert (dave.unit, dave.manager, dave.title) == (content, zhou, "文案")
    # No email at DingTalk: a username from the user id.
    assert (sun.user.username, sun.user.email, sun.manager) == ("sunlei", "", chen)
    assert Person.objects.get(display_name="吴敏").user.email == "wu.min@acme.example"
    assert {h.history_change_reason for h in dave.history.all()[:2]} == {"sync:dingtalk"}
    assert {h.history_change_reason for h in content.history.all()} == {"sync:dingtalk"}
    assert ExternalPerson.objects.get(source="sync:dingtalk", person=dave).external_id == (
        "1825083146939041"
    )
    assert "Changes made (dingtalk): 0" in _run()


def test_a_later_answer_renames_moves_and_lets_leavers_go(company, dingtalk, make_goal):
    _run()
    goal = make_goal(company["dave"])
    dingtalk.state = "after"
    output = _run()
    for line in (
        "unit renamed: 产品部 → 产品中心",
        "unit moved: 内容组 → under 产品中心",
        "manager changed: Dave → 孙磊",
        "person left: 吴敏",
    ):
        assert line in output, output
    wu = Person.objects.get(display_name="吴敏")
    assert not wu.is_active and not wu.user.is_active
    content = Unit.objects.get(name="内容组")
    assert content.parent == Unit.objects.get(name="产品中心")
    goal.refresh_from_db()
    content.refresh_from_db()
    assert goal.owner_person_id == company["dave"].pk and goal.owner_path == content.path
    assert rollups.rebuild(fix=False) == []


def test_a_wrong_app_secret_is_an_error_and_changes_nothing(company, dingtalk, settings):
    settings.KEEL_DIRECTORY_SYNC["dingtalk"]["app_secret"] = "wrong"
    with pytest.raises(CommandError, match="DingTalk error 40089"):
        _run()
    assert not ExternalUnit.objects.exists()
