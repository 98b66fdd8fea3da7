"""Every change a directory sync (Feishu, DingTalk), SCIM or a people import makes to units and
people is on the audit trail page with its source, in words (labels and names, never field
names or ids), filtered by source, and scoped like the rest of the trail (an HRBP sees the
units they partner)."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from directory import imports
from org import services as org_services
from tests.directory.fake_dingtalk import APP_SECRET, FakeDingTalk
from tests.directory.fake_feishu import FakeFeishu


@pytest.fixture
def platforms(settings):
    feishu, dingtalk = FakeFeishu().start(), FakeDingTalk().start()
    settings.KEEL_DIRECTORY_SYNC = {
        "feishu": {"app_id": "cli_a1b2c3", "app_secret": "recorded-secret", "api_base": feishu.url},
        "dingtalk": {"app_key": "dingzq1", "app_secret": APP_SECRET, "api_base": dingtalk.url},
    }
    yield
    feishu.stop()
    dingtalk.stop()


@pytest.fixture
def org_changes(company, platforms, client):
    """A Feishu and a DingTalk sync, a people import by Zed and a SCIM deactivation of Erin."""
    for platform in ("feishu", "dingtalk"):
        call_command("sync_directory", platform, stdout=io.StringIO())
    text = "username,name,unit,title\nhan.mei,韩梅梅,Acme/Sales/Field team,Rep\n"
    upload = SimpleUploadedFile("people.csv", text.encode(), content_type="text/csv")
    assert imports.import_people(actor=company["zed"], upload=upload, dry_run=False).ok
    _account, key = org_services.create_service_account(
        actor=company["zed"], name="Okta", scopes=["scim"]
    )
    response = client.delete(
        f"/scim/v2/Users/{company['erin'].pk}", HTTP_AUTHORIZATION=f"Bearer {key}"
    )
    assert response.status_code == 204
    client.logout()


def _rows(html: str) -> list[str]:
    """The text of each row of the results table."""
    body = html[html.index('id="audit-results"') :]
    return [
        " ".join(re.sub(r"<[^>]+>", " ", row).split())
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)[1:]
    ]


def test_the_page_shows_each_change_with_its_source_in_words(login, company, org_changes):
    client = login(company["zed"])
    rows = _rows(client.get("/dashboard/audit/", {"page": 1}).content.decode())
    text = "\n".join(rows)
    for expected in (
        # Feishu: a unit created under Acme, a person moved and given a manager.
        ("Unit 销售部", "created Directory sync (Feishu)", "Parent unit: Acme"),
        ("Person Alice", "changed Directory sync (Feishu)", "Unit: Field team → 华东区"),
        ("Person Alice", "changed Directory sync (Feishu)", "Manager: Bob → 李雷"),
        # DingTalk: a person joined, and Dave linked and moved.
        ("Person 周杰", "created Directory sync (DingTalk)", "Title: 市场总监"),
        ("Person Dave", "changed Directory sync (DingTalk)", "Unit: Marketing → 内容组"),
        # The import and SCIM.
        ("Person 韩梅梅", "created People import", "Unit: Field team"),
        ("Person Erin", "changed SCIM provisioning", "Active: yes → no"),
    ):
        assert any(all(part in row for part in expected) for row in rows), (expected, text)
    assert "Zed" in next(r for r in rows if "韩梅梅" in r and "People import" in r)
    # A new unit is one entry (the row that only stores its path is left out).
    assert len([r for r in rows if "Unit 内容组" in r]) == 1
    for internal in ("sync:", "display_name", "is_active", "parent_id", "unit_id", "path"):
        assert internal not in text, internal
    assert not re.search(r"#\d+", text), "an id on the page"


def test_the_source_filter_the_api_and_the_export(api, login, company, org_changes):
    client = login(company["zed"])
    rows = _rows(client.get("/dashboard/audit/", {"source": "sync:dingtalk"}).content.decode())
    assert rows and all("Directory sync (DingTalk)" in r for r in rows)
    assert any("Unit 市场部" in r for r in rows)
    results = (
        api.as_(company["zed"])
        .get("/api/v1/audit/", {"source": "scim", "page_size": 100})
        .json()["results"]
    )
    assert [(r["kind"], r["object"], r["source"], r["source_name"]) for r in results] == [
        ("person", "Erin", "scim", "SCIM provisioning")
    ]
    bad = api.as_(company["zed"]).get("/api/v1/audit/", {"source": "ldap"})
    assert bad.status_code == 400 and "source" in bad.json()
    export = client.get("/dashboard/audit/export.csv", {"source": "import"})
    lines = export.content.decode("utf-8-sig").splitlines()
    assert lines[0].endswith(",Source") and all(
        line.endswith(",People import") for line in lines[1:]
    )


def test_an_hrbp_sees_the_org_changes_of_the_units_they_partner(login, company, org_changes):
    # Carol partners Sales: Alice (moved out of Field team to 华东区, under 销售部, under
    # Acme) left her scope; 韩梅梅 joined Field team.
    rows = _rows(login(company["carol"]).get("/dashboard/audit/").content.decode())
    assert any("Person 韩梅梅" in r for r in rows)
    assert any("Person Erin" in r and "SCIM provisioning" in r for r in rows)
    for outside in ("Unit 市场部", "Person 周杰", "Person Dave", "Unit 销售部"):
        assert not any(outside in r for r in rows), outside


@pytest.mark.parametrize("people", [3, 30])
def test_org_changes_on_the_page_and_the_api_cost_the_same_queries_for_any_number(
    api, login, company, django_assert_max_num_queries, people
):
    from directory import sync
    from directory.platforms import Department, Member, Snapshot

    snapshot = Snapshot(
        departments=[Department(id=f"d{i}", name=f"Team {i}", parent_id=None) for i in range(3)],
        members=[
            Member(
                id=f"m{i}",
                name=f"Member {i}",
                email="",
                department_id=f"d{i % 3}",
                manager_id="m0" if i else None,
                title="Rep",
                active=True,
            )
            for i in range(people)
        ],
    )
    sync.apply_snapshot(platform="wecom", snapshot=snapshot, dry_run=False)
    client = login(company["zed"])
    # The same for 3 or 30 people: a fixed number per kind on the page, one per kind of
    # related object named (units, managers).
    with django_assert_max_num_queries(14):
        response = client.get("/dashboard/audit/", {"source": "sync:wecom"})
    assert response.status_code == 200
    assert "Directory sync (WeCom)" in response.content.decode()
    with django_assert_max_num_queries(10):
        listed = api.as_(company["zed"]).get("/api/v1/audit/", {"page_size": 100})
    assert listed.json()["count"] >= people
