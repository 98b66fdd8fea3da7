"""Threads and @mentions: comments with replies on goals, key results, check-ins, resource
requests and retrospectives, seen by exactly those who may see the object; mentions notify only
people who may see it; edits are kept."""

import pytest

from coordination import services
from coordination.models import Comment, Mention
from notifications.models import Notification

pytestmark = pytest.mark.django_db


def _post(api, person, kind, pk, text, **extra):
    return api.as_(person).post(
        "/api/v1/comments/",
        {"target_kind": kind, "target_id": pk, "text": text, **extra},
        format="json",
    )


def test_mention_in_a_check_in_comment_notifies_the_manager(api, company, story):
    check_in = story["check_in"]
    res = _post(
        api, company["alice"], "check_in", check_in.pk, "Stuck on pricing, @bob can you help?"
    )
    assert res.status_code == 201, res.data
    note = Notification.objects.get(recipient=company["bob"], kind="mention")
    assert "Stuck on pricing" in note.text
    assert note.url == f"/tracking/check-ins/{check_in.pk}/"
    assert Mention.objects.get().person == company["bob"]


def test_mentions_reach_only_people_who_may_see_the_object(api, company, story):
    # Dave (Marketing) may not see Alice's check-in: mentioned, but not told.
    res = _post(api, company["bob"], "check_in", story["check_in"].pk, "@dave @alice look")
    assert res.status_code == 201
    assert Notification.objects.filter(recipient=company["alice"], kind="mention").exists()
    assert not Notification.objects.filter(recipient=company["dave"]).exists()


def test_unit_mention_notifies_its_visible_members(api, company, story):
    res = _post(api, company["dave"], "goal", story["dave_goal"].pk, "@[Field team] we need you")
    assert res.status_code == 201, res.data
    told = set(Notification.objects.filter(kind="mention").values_list("recipient__pk", flat=True))
    assert told == {company["alice"].pk, company["erin"].pk, company["bob"].pk}
    assert Mention.objects.get().unit == company["field"]


def test_replies_notify_the_author_and_stay_in_one_thread(api, company, story):
    goal = story["dave_goal"]
    top = _post(api, company["dave"], "goal", goal.pk, "Who has leads?").data["id"]
    res = _post(api, company["alice"], "goal", goal.pk, "I do", parent=top)
    assert res.status_code == 201 and res.data["parent"] == top
    reply = res.data["id"]
    assert Notification.objects.get(recipient=company["dave"], kind="reply")
    # A reply to a reply joins the top-level thread.
    res = _post(api, company["dave"], "goal", goal.pk, "Thanks", parent=reply)
    assert res.data["parent"] == top
    # A parent from another thread is a 400.
    other = _post(api, company["dave"], "key_result", goal.key_results.get().pk, "x").data["id"]
    res = _post(api, company["alice"], "goal", goal.pk, "no", parent=other)
    assert res.status_code == 400 and "parent" in res.data


def test_thread_is_visible_exactly_to_who_sees_the_object(api, login, company, story):
    goal = story["alice_goal"]
    comment = services.post_comment(
        actor=company["alice"], kind="goal", target_id=goal.pk, text="Private thought"
    )
    url = f"/api/v1/comments/?target_kind=goal&target_id={goal.pk}"
    assert [c["id"] for c in api.as_(company["bob"]).get(url).data["results"]] == [comment.pk]
    assert api.as_(company["dave"]).get(url).status_code == 404
    assert api.as_(company["dave"]).get(f"/api/v1/comments/{comment.pk}/").status_code == 404
    assert _post(api, company["dave"], "goal", goal.pk, "hi").status_code == 404
    assert login(company["dave"]).get(f"/coordination/threads/goal/{goal.pk}/").status_code == 404
    page = login(company["bob"]).get(f"/coordination/threads/goal/{goal.pk}/")
    assert "Private thought" in page.content.decode()


def test_edits_are_kept_and_only_the_author_edits(api, company, story):
    goal = story["dave_goal"]
    pk = _post(api, company["dave"], "goal", goal.pk, "Target 300").data["id"]
    url = f"/api/v1/comments/{pk}/"
    res = api.as_(company["alice"]).patch(url, {"text": "hacked"}, format="json")
    assert res.status_code == 403
    res = api.as_(company["dave"]).patch(url, {"text": "Target 250 @mia"}, format="json")
    assert res.status_code == 200 and res.data["edited_at"]
    assert Notification.objects.filter(recipient=company["mia"], kind="mention").exists()
    res = api.as_(company["alice"]).get(url)
    assert res.data["text"] == "Target 250 @mia"
    assert res.data["earlier_texts"] == ["Target 300"]
    assert Comment.objects.get(pk=pk).history.count() == 2


@pytest.mark.parametrize(
    "body, field",
    [
        ({"text": "  "}, "text"),
        ({"target_kind": "planet"}, "target_kind"),
        ({"target_id": "x"}, "target_id"),
        ({"parent": 99999}, "parent"),
    ],
)
def test_invalid_comments_are_400(api, company, story, body, field):
    data = {"target_kind": "goal", "target_id": story["dave_goal"].pk, "text": "ok", **body}
    res = api.as_(company["alice"]).post("/api/v1/comments/", data, format="json")
    assert res.status_code == 400 and field in res.data
    assert not Comment.objects.exists()


def test_list_needs_the_object(api, company):
    assert api.as_(company["alice"]).get("/api/v1/comments/").status_code == 400


def test_page_posts_with_htmx_and_without(login, company, story):
    goal = story["dave_goal"]
    client = login(company["alice"])
    url = f"/coordination/threads/goal/{goal.pk}/"
    res = client.post(url, {"text": "From the page @dave"}, HTTP_HX_REQUEST="true")
    assert res.status_code == 200 and "From the page" in res.content.decode()
    assert "<html" not in res.content.decode()
    res = client.post(url, {"text": "No JavaScript"})
    assert res.status_code == 302
    assert client.post(url, {"text": ""}).status_code == 400
    comment = Comment.objects.get(text="No JavaScript")
    res = client.post(f"/coordination/comments/{comment.pk}/edit/", {"text": "Edited"})
    assert res.status_code == 302
    assert (
        login(company["dave"])
        .post(f"/coordination/comments/{comment.pk}/edit/", {"text": "x"})
        .status_code
        == 403
    )
    # The goal page holds only the URL of its thread.
    page = client.get(f"/goals/{goal.pk}/").content.decode()
    assert f'hx-get="{url}"' in page


@pytest.mark.parametrize("n", [3, 30])
def test_thread_query_bounds(api, login, company, story, n, django_assert_max_num_queries):
    goal = story["dave_goal"]
    for i in range(n):
        top = services.post_comment(
            actor=company["dave"], kind="goal", target_id=goal.pk, text=f"c{i}"
        )
        services.post_comment(
            actor=company["alice"], kind="goal", target_id=goal.pk, text=f"r{i}", parent=top
        )
    client = login(company["alice"])
    with django_assert_max_num_queries(12):
        assert client.get(f"/coordination/threads/goal/{goal.pk}/").status_code == 200
    with django_assert_max_num_queries(12):
        res = api.as_(company["alice"]).get(
            f"/api/v1/comments/?target_kind=goal&target_id={goal.pk}"
        )
    assert res.data["count"] == 2 * n
