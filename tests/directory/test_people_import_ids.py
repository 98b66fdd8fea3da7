"""People import with the platform ids of the people (feishu_open_id, dingtalk_userid,
wecom_userid, or external_id with its source): checked row by row (one person per id and
source), linked on import, so a later directory sync or SCIM push finds those people by id
and updates them instead of adding them again."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from directory import imports
from directory.models import ExternalPerson
from org import services as org_services
from org.models import Person
from tests.directory.fake_dingtalk import APP_SECRET, FakeDingTalk
from tests.directory.fake_feishu import FakeFeishu

HEADER = "username,name,email,unit,feishu_open_id,dingtalk_userid,wecom_userid,external_id,source\n"


def _import(actor, text, dry_run=False):
    upload = SimpleUploadedFile("people.csv", text.encode("utf-8"), content_type="text/csv")
    return imports.import_people(actor=actor, upload=upload, dry_run=dry_run)


def _sync(platform: str) -> str:
    out = io.StringIO()
    call_command("sync_directory", platform, stdout=out, stderr=out)
    return out.getvalue()


@pytest.fixture
def feishu(settings):
    fake = FakeFeishu().start()
    settings.KEEL_DIRECTORY_SYNC = {
        "feishu": {"app_id": "cli_a1b2c3", "app_secret": "recorded-secret", "api_base": fake.url}
    }
    yield fake
    fake.stop()


@pytest.fixture
def dingtalk(settings):
    fake = FakeDingTalk().start()
    settings.KEEL_DIRECTORY_SYNC = {
        "dingtalk": {"app_key": "dingzq1v2rxk3y", "app_secret": APP_SECRET, "api_base": fake.url}
    }
    yield fake
    fake.stop()


def test_a_feishu_sync_after_an_import_with_ids_updates_those_people(company, feishu):
    # Emails that differ from Feishu's: only the ids can match these rows.
    result = _import(
        company["zed"],
        HEADER
        + "wang.fang,王芳,fang@old.example,Acme/Sales,ou_7dab8a3d3cdcc9da365777c7ad535d62,,,,\n"
        + "li.lei,李雷,,Acme/Sales,,,,ou_1b2c3d4e5f60718293a4b5c6d7e8f901,feishu\n",
    )
    assert result.ok and result.created == 2, result.errors
    people = Person.objects.count()
    output = _sync("feishu")
    assert "person joined: 王芳" not in output and "person joined: 李雷" not in output
    assert "person linked: 王芳" not in output
    assert "person moved: 王芳: Sales → 销售部" in output
    assert "email changed: 王芳: wang.fang@acme.example" in output
    assert Person.objects.count() == people
    wang = Person.objects.get(user__username="wang.fang")
    li = Person.objects.get(user__username="li.lei")
    assert wang.user.email == "wang.fang@acme.example" and wang.unit.name == "销售部"
    assert (li.unit.name, li.manager) == ("华东区", wang)
    assert Person.objects.filter(display_name__in=["王芳", "李雷"]).count() == 2


def test_a_dingtalk_sync_and_a_scim_push_find_imported_people_by_id(company, dingtalk, client):
    result = _import(
        company["zed"],
        HEADER
        + "zhou.jie,周杰,,Acme/Marketing,,manager7140,,zj-0017,scim\n"
        + "chen.jing,陈静,,Acme,,0216454852221178,,,\n",
    )
    assert result.ok and result.created == 2, result.errors
    output = _sync("dingtalk")
    assert "person joined: 周杰" not in output and "person joined: 陈静" not in output
    zhou = Person.objects.get(user__username="zhou.jie")
    assert zhou.unit.name == "市场部" and zhou.manager.user.username == "chen.jing"
    assert zhou.user.email == "zhou.jie@acme.example"
    # Azure AD looks a user up by its externalId before it creates them.
    _account, key = org_services.create_service_account(
        actor=company["zed"], name="Entra", scopes=["scim"]
    )
    found = client.get(
        "/scim/v2/Users",
        {"filter": 'externalId eq "zj-0017"'},
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    body = json.loads(found.content)
    assert body["totalResults"] == 1 and body["Resources"][0]["userName"] == "zhou.jie"


def test_ids_are_checked_row_by_row_and_nothing_is_imported(company):
    ExternalPerson.objects.create(
        source="sync:feishu", external_id="ou_alice", person=company["alice"]
    )
    result = _import(
        company["zed"],
        HEADER
        + "a,A,,Acme/Sales,ou_alice,,,,\n"
        + "b,B,,Acme/Sales,,d1,,,\n"
        + "c,C,,Acme/Sales,,d1,,,\n"
        + "d,D,,Acme/Sales,,,,x,\n"
        + "e,E,,Acme/Sales,,,,y,ldap\n"
        + "f,F,,Acme/Sales,,,w1,w2,wecom\n"
        + "g,G,,Acme/Sales,,,,,scim\n"
        + "alice,Alice,,Acme/Sales/Field team,ou_alice,,,,\n",
    )
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (2, "feishu_open_id", "Another person has this id."),
        (4, "dingtalk_userid", "Row 3 has the same id."),
        (5, "source", "Name the source of the external id."),
        (6, "source", "Use one of: scim, feishu, dingtalk, wecom."),
        (7, "external_id", "The row has another id of this source."),
        (8, "external_id", "Write the external id of this source."),
    ]
    assert not Person.objects.filter(user__username__in=list("abcdefg")).exists()
    assert ExternalPerson.objects.count() == 1


def test_a_new_id_replaces_the_persons_old_one_at_that_source(company):
    ExternalPerson.objects.create(source="sync:wecom", external_id="old", person=company["dave"])
    result = _import(company["zed"], HEADER + "dave,Dave,,Acme/Marketing,,,new,,\n")
    assert result.ok and result.updated == 1, result.errors
    assert list(
        ExternalPerson.objects.filter(person=company["dave"]).values_list("source", "external_id")
    ) == [("sync:wecom", "new")]
