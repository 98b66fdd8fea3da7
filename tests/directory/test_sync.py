"""Directory sync from Feishu against recorded API responses in a local fake server: a dry
run prints the plan and changes nothing; applying it updates the org chart (units created,
renamed, moved; people joined, matched, moved, left), leavers lose access, a moved person keeps
their goals and the rollups follow, and every change is in the history as "sync:feishu"."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from directory import sync
from directory.models import ExternalPerson, ExternalUnit
from directory.platforms import Department, Member, Snapshot
from goals.services import rollups
from org import tokens
from org.models import Person, Unit
from tests.directory.fake_feishu import FakeFeishu

SALES_OD = "od-4e6ac4d14bcd5071a37a39de902c7141"


@pytest.fixture
def feishu(settings):
    fake = FakeFeishu().start()
    settings.KEEL_DIRECTORY_SYNC = {
        "feishu": {"app_id": "cli_a1b2c3", "app_secret": "recorded-secret", "api_base": fake.url}
    }
    yield fake
    fake.stop()


def _run(*args) -> str:
    out = io.StringIO()
    call_command("sync_directory", "feishu", *args, stdout=out, stderr=out)
    return out.getvalue()


def test_dry_run_prints_the_changes_and_makes_none(company, feishu):
    units, people = Unit.objects.count(), Person.objects.count()
    output = _run("--dry-run")
    assert "Dry run: these changes would be made (feishu): 9" in output
    for line in (
        "unit created: 销售部 (under Acme)",
        "unit created: 华东区 (under 销售部)",
        "person joined: 王芳 in 销售部",
        "person joined: 李雷 in 华东区",
        "person linked: Alice (alice@example.com)",
        "person moved: Alice: Field team → 华东区",
        "manager changed: Alice → 李雷",
    ):
        assert line in output
    assert (Unit.objects.count(), Person.objects.count()) == (units, people)
    assert not ExternalUnit.objects.exists() and not ExternalPerson.objects.exists()
    # Both pages of departments were read, with the token.
    assert sum("departments/0/children" in r for r in feishu.requests) == 2


def test_applying_updates_the_org_chart_with_history(company, feishu):
    _run()
    sales = Unit.objects.get(name="销售部")
    east = Unit.objects.get(name="华东区")
    assert sales.parent == company["acme"] and east.parent == sales
    wang = Person.objects.get(display_name="王芳")
    li = Person.objects.get(display_name="李雷")
    alice = Person.objects.get(pk=company["alice"].pk)
    assert (li.unit, li.manager, li.title, li.user.email) == (
        east,
        wang,
        "客户经理",
        "li.lei@acme.example",
    )
    assert (alice.unit, alice.manager, alice.title) == (east, li, "客户代表")
    assert {h.history_change_reason for h in alice.history.all()[:2]} == {"sync:feishu"}
    assert {h.history_change_reason for h in east.history.all()} == {"sync:feishu"}
    # Nothing left to do the second time.
    assert "Changes made (feishu): 0" in _run()


def test_a_later_payload_renames_moves_and_lets_leavers_go(company, feishu, make_goal):
    _run()
    goal = make_goal(company["alice"])
    wang = Person.objects.get(display_name="王芳")
    token, _key = tokens.create_token(user=wang.user, name="sync test")
    feishu.state = "after"
    output = _run()
    for line in (
        "unit renamed: 销售部 → 销售中心",
        "unit moved: 华东区 → under Acme",
        "unit created: 华北区 (under 销售中心)",
        "person moved: 李雷: 华东区 → 华北区",
        "person moved: Alice: 华东区 → 华北区",
        "title changed: 李雷: 客户经理 → 区域经理",
        "person joined: 赵敏 in 华东区",
        "person left: 王芳",
    ):
        assert line in output, output
    wang.refresh_from_db()
    assert not wang.is_active and not wang.user.is_active
    token.refresh_from_db()
    assert token.revoked_at is not None
    north = Unit.objects.get(name="华北区")
    goal.refresh_from_db()
    assert goal.owner_person_id == company["alice"].pk and goal.owner_path == north.path
    assert rollups.rebuild(fix=False) == []


def test_an_unknown_secret_is_an_error_and_changes_nothing(company, feishu, settings):
    settings.KEEL_DIRECTORY_SYNC["feishu"]["app_secret"] = "wrong"
    with pytest.raises(CommandError, match="Feishu error 10014"):
        _run()
    assert not ExternalUnit.objects.exists()


def test_without_configuration_the_command_says_so(db, settings):
    settings.KEEL_DIRECTORY_SYNC = {}
    with pytest.raises(CommandError, match="not configured"):
        _run()


def test_the_sync_never_matches_by_name(company):
    """A platform member with Alice's name but no known email is a new person."""
    snapshot = Snapshot(
        departments=[Department(id="d1", name="Field", parent_id=None)],
        members=[
            Member(
                id="m1",
                name=company["alice"].display_name,
                email="",
                department_id="d1",
                manager_id=None,
                title="",
                active=True,
            )
        ],
    )
    result = sync.apply_snapshot(platform="feishu", snapshot=snapshot, dry_run=False)
    linked = ExternalPerson.objects.get(external_id="m1").person
    assert linked != company["alice"]
    assert any(line.startswith("person joined") for line in result.changes)
