"""Free text is capped everywhere a person can send it (core.limits.TEXT_MAX_LENGTH): every
string field of every API request documents a `maxLength`, a longer text is a 400 naming the
field, and the forms of the pages refuse it with a form error."""

from __future__ import annotations

from drf_spectacular.generators import SchemaGenerator

from core.forms import Form
from core.limits import TEXT_MAX_LENGTH
from goals.models import Goal
from retros.models import Lesson
from tests.authz import conftest as authz_fixtures
from tests.authz.world import SELF
from tracking.models import CheckIn

LONG = "x" * (TEXT_MAX_LENGTH + 1)
FULL = "y" * TEXT_MAX_LENGTH
API_ERROR = f"Ensure this field has no more than {TEXT_MAX_LENGTH} characters."
FORM_ERROR = f"Ensure this value has at most {TEXT_MAX_LENGTH} characters"
# Strings whose format bounds them (dates, decimals) need no length of their own.
BOUNDED_FORMATS = {"date", "date-time", "time", "decimal", "uuid"}


# The authorization matrix's organisation and fixtures: its time, its world, quiet refusals.
_now = authz_fixtures._now
_module_world = authz_fixtures._module_world
_quiet_refusals = authz_fixtures._quiet_refusals
world = authz_fixtures.world


def _schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def _unbounded_strings(node, where: str, components: dict, seen: frozenset) -> list[str]:
    """The writable string fields without maxLength under a request body's schema."""
    if isinstance(node, list):
        return [m for item in node for m in _unbounded_strings(item, where, components, seen)]
    if not isinstance(node, dict):
        return []
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return []
        return _unbounded_strings(components[name], name, components, seen | {name})
    found = []
    if (
        node.get("type") == "string"
        and not node.get("readOnly")
        and "enum" not in node
        and node.get("format") not in BOUNDED_FORMATS
        and "maxLength" not in node
    ):
        found.append(where)
    for key, value in node.items():
        if key == "properties":
            for name, prop in value.items():
                found += _unbounded_strings(prop, f"{where}.{name}", components, seen)
        elif key in ("items", "additionalProperties", "oneOf", "anyOf", "allOf"):
            found += _unbounded_strings(value, f"{where}[{key}]", components, seen)
    return found


def test_every_string_of_every_request_has_a_max_length():
    schema = _schema()
    components = schema["components"]["schemas"]
    unbounded, bodies = [], 0
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for content in operation.get("requestBody", {}).get("content", {}).values():
                bodies += 1
                where = f"{method.upper()} {path}"
                unbounded += _unbounded_strings(content["schema"], where, components, frozenset())
    assert bodies > 50
    assert unbounded == []


def test_long_texts_document_the_project_cap_and_titles_keep_their_own():
    components = _schema()["components"]["schemas"]
    assert components["GoalCreateRequest"]["properties"]["description"]["maxLength"] == 10_000
    assert components["GoalCreateRequest"]["properties"]["title"]["maxLength"] == 300
    assert components["LessonRequest"]["properties"]["context"]["maxLength"] == 10_000
    assert components["CheckInInputRequest"]["properties"]["done"]["maxLength"] == 10_000
    # Answers promise no cap: text stored earlier, or written by the application, may be longer.
    assert "maxLength" not in components["Lesson"]["properties"]["context"]


def test_a_goal_description_too_long_is_a_400_naming_it(api, world):
    goal = world.goal_public
    client = api.as_(world.people[SELF])
    response = client.patch(
        f"/api/v1/goals/{goal.pk}/", {"version": goal.version, "description": LONG}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"description": [API_ERROR]}
    assert Goal.objects.get(pk=goal.pk).description != LONG
    response = client.patch(
        f"/api/v1/goals/{goal.pk}/", {"version": goal.version, "description": FULL}, format="json"
    )
    assert response.status_code == 200
    assert Goal.objects.get(pk=goal.pk).description == FULL


def test_check_in_texts_too_long_are_a_400_naming_them(api, world):
    check_in = world.draft_check_in
    client = api.as_(world.people[SELF])
    url = f"/api/v1/check-ins/{check_in.pk}/"
    response = client.patch(url, {"done": LONG, "blockers": LONG}, format="json")
    assert response.status_code == 400
    assert response.json() == {"done": [API_ERROR], "blockers": [API_ERROR]}
    update = {"key_result": world.kr.pk, "note": LONG}
    response = client.patch(url, {"updates": [update]}, format="json")
    assert response.status_code == 400
    assert response.json() == {"updates.0.note": [API_ERROR]}
    assert CheckIn.objects.get(pk=check_in.pk).done != LONG
    assert client.patch(url, {"done": FULL}, format="json").status_code == 200


def test_a_lesson_text_too_long_is_a_400_naming_it(api, world):
    client = api.as_(world.people[SELF])
    response = client.post(
        "/api/v1/lessons/", {"title": "Long lesson", "context": LONG}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"context": [API_ERROR]}
    assert not Lesson.objects.filter(title="Long lesson").exists()
    response = client.post(
        "/api/v1/lessons/", {"title": "Long lesson", "context": FULL}, format="json"
    )
    assert response.status_code == 201


def test_feedback_text_too_long_is_a_400(api, world):
    response = api.as_(world.bob).post(
        "/api/v1/feedback/",
        {"check_in": world.check_in.pk, "kind": "praise", "text": LONG},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["text"] == [API_ERROR]


def _form_classes():
    """Every form of the pages (the apps' forms modules, and forms defined beside views)."""
    import importlib

    for module in (
        "goals.forms",
        "tracking.forms",
        "retros.forms",
        "resources.forms",
        "incentives.forms",
        "incentives.views",
        "notifications.forms",
        "dashboard.views.alignment",
    ):
        importlib.import_module(module)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    return sorted(set(subclasses(Form)), key=lambda cls: cls.__qualname__)


def test_every_text_field_of_the_forms_is_capped(world):
    """Each form as a page builds it (the objects it asks for taken from the world)."""
    import inspect

    import django.forms

    from org.models import Unit

    objects = {
        "goal": world.goal_agreed,
        "cycle": world.cycle,
        "goals": Goal.objects.all(),
        "units": Unit.objects.all(),
        "viewer": world.people[SELF],
    }
    checked = 0
    for form_class in _form_classes():
        wanted = inspect.signature(form_class.__init__).parameters
        form = form_class(**{k: v for k, v in objects.items() if k in wanted})
        for name, field in form.fields.items():
            if isinstance(field, django.forms.CharField):
                checked += 1
                assert field.max_length is not None, f"{form_class.__qualname__}.{name}"
                assert field.max_length <= TEXT_MAX_LENGTH
    assert checked > 40


def test_the_goal_page_refuses_a_description_too_long(client, world):
    goal = world.goal_public
    client.force_login(world.people[SELF].user)
    page = client.get(f"/goals/{goal.pk}/edit/")
    assert f'maxlength="{TEXT_MAX_LENGTH}"' in page.content.decode()
    response = client.post(
        f"/goals/{goal.pk}/edit/",
        {"title": goal.title, "description": LONG, "version": goal.version},
    )
    assert FORM_ERROR in response.content.decode()
    assert Goal.objects.get(pk=goal.pk).description != LONG


def test_the_check_in_page_refuses_a_text_too_long(client, world):
    client.force_login(world.people[SELF].user)
    response = client.post("/tracking/", {"done": LONG, "plan": "fine", "action": "save"})
    assert FORM_ERROR in response.content.decode()
    assert not CheckIn.objects.filter(done=LONG).exists()
    client.post("/tracking/autosave/", {"done": LONG})
    assert not CheckIn.objects.filter(done=LONG).exists()


def test_the_lesson_page_refuses_a_text_too_long(client, world):
    client.force_login(world.people[SELF].user)
    response = client.post("/retros/lessons/new/", {"title": "Long lesson", "problem": LONG})
    assert FORM_ERROR in response.content.decode()
    assert not Lesson.objects.filter(title="Long lesson").exists()


def test_a_comment_posted_beside_a_button_is_capped_too(client, world):
    """The return comment is posted without a form (goals.views.workflow): refused with the
    form's message, the goal stays proposed."""
    goal = world.goal_proposed
    client.force_login(world.bob.user)
    response = client.post(f"/goals/{goal.pk}/transition/return/", {"comment": LONG}, follow=True)
    assert FORM_ERROR in response.content.decode()
    assert Goal.objects.get(pk=goal.pk).state == Goal.State.PROPOSED
    client.post(f"/goals/{goal.pk}/transition/return/", {"comment": "Too vague"})
    assert Goal.objects.get(pk=goal.pk).state == Goal.State.RETURNED
