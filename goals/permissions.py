"""Scopes over goals, key results and target adjustments.

Visibility of a goal:
- public: every signed-in person;
- unit: people in the owner's unit and below it (for a person's goal, their unit);
- private: only the owner;
and always: the owner (a person, or the head of the owning unit), everyone above the owner
(manager chain, heads of the owning unit's ancestors), the HRBP of the owner's unit, admins.
A task force's goals (a unit of kind task force): its members as its people (unit
visibility), and everyone who follows a member (their managers, their HRBP).

Each scope is one queryset with one Q (no loops over goals): other apps call these for lists.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from goals.models import Cycle, Goal, KeyResult, SupportRequest, TargetAdjustment
from org import tokens
from org.models import Person
from org.scopes import Viewer, ViewerLike, may_follow, subtree_q

# What each action needs beyond seeing the goal.
OWNER_OR_MANAGER = {"edit", "agree", "cascade", "adjust", "measure"}
MANAGER_ONLY = {"manage", "return", "close", "decide"}


def visible_goals_q(viewer: ViewerLike, prefix: str = "") -> Q:
    """The Q selecting goals the viewer may see (over Goal, or over a relation with `prefix`,
    e.g. "goal__" for key results)."""
    p = prefix
    viewer = Viewer.of(viewer)
    if viewer.is_admin:
        return Q()
    q = (
        Q(**{f"{p}visibility": Goal.Visibility.PUBLIC})
        | Q(**{f"{p}owner_person_id": viewer.pk})
        # A unit-visible goal: for people in the owner's unit and below it.
        | Q(**{f"{p}visibility": Goal.Visibility.UNIT, f"{p}owner_path__in": viewer.unit_paths})
    )
    # The goals of the people the viewer manages: their subtrees by the goal's owner path
    # (denormalised on the goal, no join), the few managed from outside them by id.
    managed = viewer.managed_q(f"{p}owner_person", path_field=f"{p}owner_path")
    if managed is not None:
        q |= managed
    # Task forces: a member sees its unit-visible goals as the unit's people do; whoever
    # follows a member (their managers, their HRBP) sees all of its goals.
    q |= Q(
        **{
            f"{p}visibility": Goal.Visibility.UNIT,
            f"{p}owner_path__in": viewer.task_force_paths,
        }
    )
    followed_task_forces = viewer.followed_task_force_paths
    if followed_task_forces is not None:
        q |= Q(**{f"{p}owner_path__in": followed_task_forces})
    if viewer.units_headed_below:
        q |= Q(**{f"{p}owner_unit_id__in": viewer.units_headed_below})
    # The units the viewer heads and everything below them (their own goals included).
    for extra in (
        subtree_q(viewer.headed_paths, f"{p}owner_path"),
        subtree_q(viewer.hrbp_paths, f"{p}owner_path"),
    ):
        if extra is not None:
            q |= extra
    return q


def visible_goals(viewer: ViewerLike) -> QuerySet[Goal]:
    viewer = Viewer.of(viewer)
    if viewer.person is None:
        return Goal.objects.none()
    return Goal.objects.filter(visible_goals_q(viewer))


def visible_key_results(viewer: ViewerLike) -> QuerySet[KeyResult]:
    viewer = Viewer.of(viewer)
    if viewer.person is None:
        return KeyResult.objects.none()
    return KeyResult.objects.filter(visible_goals_q(viewer, "goal__"))


def visible_adjustments(viewer: ViewerLike) -> QuerySet[TargetAdjustment]:
    viewer = Viewer.of(viewer)
    if viewer.person is None:
        return TargetAdjustment.objects.none()
    return TargetAdjustment.objects.filter(visible_goals_q(viewer, "key_result__goal__"))


def is_goal_owner(viewer: ViewerLike, goal: Goal) -> bool:
    viewer = Viewer.of(viewer)
    if viewer.person is None:
        return False
    if goal.owner_person_id:
        return goal.owner_person_id == viewer.pk
    return goal.owner_unit.head_id == viewer.pk


def can_manage_goal(viewer: ViewerLike, goal: Goal) -> bool:
    """Above the goal's owner: the person owner's manager chain; for a unit's goal the heads of
    the unit's ancestors and the unit head's managers; admins always."""
    viewer = Viewer.of(viewer)
    if viewer.person is None:
        return False
    if viewer.is_admin:
        return True
    if goal.owner_person_id:
        return viewer.manages(goal.owner_person)
    unit = goal.owner_unit
    if unit.head_id and viewer.manages_pk(unit.head_id):
        return True
    return any(unit.path.startswith(path) and unit.path != path for path in viewer.headed_paths)


def can_assign_to(viewer: ViewerLike, *, person: Person | None = None, unit=None) -> bool:
    """May the viewer set a goal for this person or unit (cascade, assignment)?"""
    viewer = Viewer.of(viewer)
    if viewer.person is None:
        return False
    if viewer.is_admin:
        return True
    if person is not None:
        return person.pk == viewer.pk or viewer.manages(person)
    if unit.head_id == viewer.pk or viewer.manages_pk(unit.head_id):
        return True
    return viewer.heads_subtree_of(unit)


def _check_action(viewer: Viewer, goal: Goal, action: str) -> None:
    if action == "view":
        return
    if action in OWNER_OR_MANAGER:
        if is_goal_owner(viewer, goal) or can_manage_goal(viewer, goal):
            return
    elif action in MANAGER_ONLY:
        if can_manage_goal(viewer, goal):
            return
    else:
        raise ValueError(f"unknown action {action!r}")
    raise PermissionDenied(_("You may not do this with this goal."))


def get_goal_for(viewer: ViewerLike, pk, action: str = "view") -> Goal:
    """The goal, or Http404 when the viewer may not see it; PermissionDenied when they may see
    it but not do `action` (view, edit, agree, cascade, adjust, measure, manage, return,
    close, decide)."""
    viewer = Viewer.of(viewer)
    if viewer.person is None:
        raise Http404
    try:
        goal = (
            visible_goals(viewer)
            .select_related("cycle", "owner_person", "owner_unit", "parent")
            .get(pk=pk)
        )
    except (Goal.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    _check_action(viewer, goal, action)
    return goal


def get_key_result_for(viewer: ViewerLike, pk, action: str = "view") -> KeyResult:
    viewer = Viewer.of(viewer)
    if viewer.person is None:
        raise Http404
    try:
        kr = (
            visible_key_results(viewer)
            .select_related("goal", "goal__cycle", "goal__owner_person", "goal__owner_unit")
            .get(pk=pk)
        )
    except (KeyResult.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    _check_action(viewer, kr.goal, action)
    return kr


def get_adjustment_for(viewer: ViewerLike, pk, action: str = "view") -> TargetAdjustment:
    viewer = Viewer.of(viewer)
    if viewer.person is None:
        raise Http404
    try:
        adjustment = (
            visible_adjustments(viewer)
            .select_related(
                "key_result",
                "key_result__goal",
                "key_result__goal__cycle",
                "key_result__goal__owner_person",
                "key_result__goal__owner_unit",
                "requested_by",
            )
            .get(pk=pk)
        )
    except (TargetAdjustment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    _check_action(viewer, adjustment.key_result.goal, action)
    return adjustment


def measurement_notes_visible(viewer: ViewerLike, key_result: KeyResult) -> bool:
    """A measurement's note (a check-in's words travel with the values it records) is read only
    by those who may follow the key result's owner (themselves, above them, their HRBP), even
    where the key result itself is public."""
    owner = key_result.goal.owner_person
    return owner is None or may_follow(viewer, owner)


# What a viewer may do with a goal in its state: the one declaration the pages and the API read
# (buttons, the `available_actions` field). The services check the same conditions when the
# action is performed and say why when one fails; content rules (a proposal needs key results,
# a SMART-blocking setting, a score between 0 and 1) are theirs alone.
EDIT, PROPOSE, AGREE, RETURN = "edit", "propose", "agree", "return"
COUNTER_PROPOSE, CLOSE = "counter_propose", "close"
SELF_SCORE, MANAGER_SCORE = "self_score", "manager_score"
CASCADE, ADJUST, MEASURE = "cascade", "adjust", "measure"
GOAL_ACTIONS = (
    EDIT,
    PROPOSE,
    AGREE,
    RETURN,
    COUNTER_PROPOSE,
    CLOSE,
    SELF_SCORE,
    MANAGER_SCORE,
    CASCADE,
    ADJUST,
    MEASURE,
)


def proposed_by_owner(goal: Goal) -> bool:
    """Was the goal's pending proposal made from the owner's side (the owner proposed it, or
    nobody is recorded), rather than assigned or answered by a manager?"""
    person_id = goal.initiated_by_id
    if person_id is None:
        return True
    if goal.owner_person_id:
        return goal.owner_person_id == person_id
    return goal.owner_unit.head_id == person_id


def _proposed_actions(viewer: Viewer, goal: Goal, owner: bool, manager: bool) -> set[str]:
    """A proposal waits for the other side: the manager agrees or returns what the owner
    proposed (not their own proposal, unless an admin); the owner accepts or counter-proposes
    what a manager assigned. A manager may still edit it."""
    allowed = {EDIT} if manager else set()
    if not proposed_by_owner(goal):
        return allowed | {AGREE, COUNTER_PROPOSE} if owner else allowed
    if manager:
        allowed.add(RETURN)
        if viewer.pk != goal.initiated_by_id or viewer.is_admin:
            allowed.add(AGREE)
    return allowed


def _agreed_actions(goal: Goal, owner: bool, manager: bool) -> set[str]:
    """An agreed goal changes its targets by adjustment, is closed by a manager and, while its
    cycle is in scoring, scored by its owner (self score) and a manager (manager score)."""
    allowed = {ADJUST, CLOSE} if manager else {ADJUST}
    if goal.cycle.state == Cycle.State.SCORING:
        if owner:
            allowed.add(SELF_SCORE)
        if manager:
            allowed.add(MANAGER_SCORE)
    return allowed


def available_actions(viewer: ViewerLike, goal: Goal) -> list[str]:
    """The actions (GOAL_ACTIONS, in that order) the viewer may take on the goal now: only its
    owner and those above it act, and nothing changes in a closed cycle. Reads only the goal,
    its cycle and owner (select them with it) and the viewer's cached scopes: no query per
    goal in a list."""
    viewer = Viewer.of(viewer)
    if viewer.person is None or goal.cycle.is_closed:
        return []
    owner = is_goal_owner(viewer, goal)
    manager = can_manage_goal(viewer, goal)
    if not (owner or manager):
        return []
    allowed: set[str] = set()
    if goal.state in (Goal.State.DRAFT, Goal.State.RETURNED):
        allowed = {EDIT, PROPOSE}
    elif goal.state == Goal.State.PROPOSED:
        allowed = _proposed_actions(viewer, goal, owner, manager)
    elif goal.state == Goal.State.AGREED:
        allowed = _agreed_actions(goal, owner, manager)
    if goal.state != Goal.State.CLOSED:
        allowed |= {CASCADE, MEASURE}
    return [action for action in GOAL_ACTIONS if action in allowed]


def may_measure(viewer: ViewerLike, goal: Goal) -> bool:
    """May the viewer record values for the goal's key results (its owner or above)?"""
    try:
        _check_action(Viewer.of(viewer), goal, "measure")
    except PermissionDenied:
        return False
    return True


def account_key_results(account) -> QuerySet[KeyResult]:
    """The key results a service account reaches with its unit-bound scopes: those of goals
    owned within its units' subtrees (every goal when it has no units)."""
    if account is None or account.revoked_at is not None:
        return KeyResult.objects.none()
    paths = tokens.unit_paths(account)
    if paths is None:
        return KeyResult.objects.all()
    return KeyResult.objects.filter(subtree_q(paths, "goal__owner_path"))


def account_goals(account) -> QuerySet[Goal]:
    """The goals a service account granted `goals:read` reads: those owned within its units'
    subtrees (every goal when it has no units), private goals excepted (they are their owner's
    and their managers' only)."""
    if not tokens.has_scope(account, "goals:read"):
        return Goal.objects.none()
    goals = Goal.objects.exclude(visibility=Goal.Visibility.PRIVATE)
    paths = tokens.unit_paths(account)
    return goals if paths is None else goals.filter(subtree_q(paths, "owner_path"))


def account_readable_key_results(account) -> QuerySet[KeyResult]:
    """The key results of `account_goals`."""
    if not tokens.has_scope(account, "goals:read"):
        return KeyResult.objects.none()
    key_results = KeyResult.objects.exclude(goal__visibility=Goal.Visibility.PRIVATE)
    paths = tokens.unit_paths(account)
    return (
        key_results if paths is None else key_results.filter(subtree_q(paths, "goal__owner_path"))
    )


def get_key_result_for_account(account, pk) -> KeyResult:
    """The key result a service account may write to, or Http404."""
    try:
        return account_key_results(account).select_related("goal", "goal__cycle").get(pk=pk)
    except (KeyResult.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# --- support agreements ------------------------------------------------------------------
# A support request is seen by whoever may see both goals; the asking goal's owner and those
# above it ask and withdraw; the supporting goal's owner (for a unit's goal its head) and those
# above it accept, decline or counter-propose; a counter-proposal goes back to the asking side.
ACCEPT, DECLINE, COUNTER, WITHDRAW = "accept", "decline", "counter_propose", "withdraw"
SUPPORT_ACTIONS = (ACCEPT, DECLINE, COUNTER, WITHDRAW)


def visible_support_requests(viewer: ViewerLike) -> QuerySet[SupportRequest]:
    viewer = Viewer.of(viewer)
    if viewer.person is None:
        return SupportRequest.objects.none()
    return SupportRequest.objects.filter(
        visible_goals_q(viewer, "goal__"), visible_goals_q(viewer, "supporting_goal__")
    )


def speaks_for(viewer: ViewerLike, goal: Goal) -> bool:
    """The goal's owner, or someone above it: who may ask, answer or withdraw for it."""
    return is_goal_owner(viewer, goal) or can_manage_goal(viewer, goal)


def support_actions(viewer: ViewerLike, request: SupportRequest) -> list[str]:
    """What the viewer may do with a support request now (select both goals with their cycle,
    owners and units: no query per row)."""
    viewer = Viewer.of(viewer)
    if viewer.person is None or request.state not in SupportRequest.OPEN:
        return []
    asking = speaks_for(viewer, request.goal)
    answering = speaks_for(viewer, request.supporting_goal)
    allowed: set[str] = set()
    if request.state == SupportRequest.State.REQUESTED and answering:
        allowed |= {ACCEPT, DECLINE, COUNTER}
    if request.state == SupportRequest.State.COUNTERED and asking:
        allowed |= {ACCEPT, DECLINE}
    if asking:
        allowed.add(WITHDRAW)
    return [action for action in SUPPORT_ACTIONS if action in allowed]


SUPPORT_RELATED = (
    "goal__cycle",
    "goal__owner_person",
    "goal__owner_unit",
    "supporting_goal__cycle",
    "supporting_goal__owner_person",
    "supporting_goal__owner_unit",
    "key_result",
    "requested_by",
    "decided_by",
)


def get_support_request_for(viewer: ViewerLike, pk, action: str = "view") -> SupportRequest:
    """The request, or Http404 when the viewer may not see both goals; PermissionDenied when
    they may see it but not do `action` now."""
    viewer = Viewer.of(viewer)
    if viewer.person is None:
        raise Http404
    try:
        request = visible_support_requests(viewer).select_related(*SUPPORT_RELATED).get(pk=pk)
    except (SupportRequest.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if action != "view" and action not in support_actions(viewer, request):
        raise PermissionDenied(_("You may not do this with this support request."))
    return request
