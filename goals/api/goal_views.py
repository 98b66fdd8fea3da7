"""The goals endpoint: goals with nested key results, agreement, SMART, cascade, tree and
history. Thin over `goals.services` and `goals.selectors`, scoped by `goals.permissions`."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from core.api import Conflict, FilterBackend
from goals import permissions, selectors, selectors_lists, services
from goals.models import Goal
from goals.smart import check_goal
from org import permissions as org_permissions
from org.access import ViewerAPIMixin, service_account
from org.models import Unit

from .serializers import (
    CascadeResultSerializer,
    CascadeSerializer,
    CloseSerializer,
    CommentSerializer,
    CounterProposeSerializer,
    GoalCreateSerializer,
    GoalSerializer,
    GoalUpdateSerializer,
    HistoryEntrySerializer,
    ScoreSerializer,
    SmartSerializer,
    TreeNodeSerializer,
)


class GoalFilter(django_filters.FilterSet):
    cycle = django_filters.NumberFilter(field_name="cycle_id")
    owner_person = django_filters.NumberFilter(field_name="owner_person_id")
    owner_unit = django_filters.NumberFilter(field_name="owner_unit_id")
    parent = django_filters.NumberFilter(field_name="parent_id")
    kind = django_filters.ChoiceFilter(choices=Goal.Kind.choices)
    level = django_filters.ChoiceFilter(choices=Goal.Level.choices)
    state = django_filters.ChoiceFilter(choices=Goal.State.choices)

    class Meta:
        model = Goal
        fields = ["cycle", "kind", "level", "state", "owner_person", "owner_unit", "parent"]


class GoalOrdering:
    """`?ordering=`: the orders an index serves (`selectors_lists.GOAL_ORDERINGS`): "cycle"
    (the default: newest cycle first, then level and title), "id" or "-id". Keyset paging
    (`?cursor=`) walks the primary key: "-id" unless "id" is asked for."""

    param = "ordering"

    def _choice(self, request) -> str:
        choice = request.query_params.get(self.param) or selectors_lists.DEFAULT_GOAL_ORDERING
        if choice not in selectors_lists.GOAL_ORDERINGS:
            raise ValidationError(
                {
                    self.param: [
                        _("Order by one of: %(choices)s.")
                        % {"choices": ", ".join(selectors_lists.GOAL_ORDERINGS)}
                    ]
                }
            )
        return choice

    def filter_queryset(self, request, queryset, view):
        return queryset.order_by(*selectors_lists.GOAL_ORDERINGS[self._choice(request)])

    def get_ordering(self, request, queryset, view):
        """The keyset pagination's order (core.api.KeysetPagination asks its view's filters)."""
        return ("pk",) if self._choice(request) == "id" else ("-pk",)

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.param,
                "required": False,
                "in": "query",
                "description": "Sort order (indexed): `cycle` (default: newest cycle first, "
                "then level and title), `id` or `-id`. Keyset paging (`cursor`) orders by id: "
                "`-id` unless `id` is asked for.",
                "schema": {"type": "string", "enum": list(selectors_lists.GOAL_ORDERINGS)},
            }
        ]


def tree_to_dict(node: selectors.TreeNode) -> dict:
    goal = node.goal
    return {
        "id": goal.pk,
        "title": goal.title,
        "kind": goal.kind,
        "level": goal.level,
        "state": goal.state,
        "owner_name": goal.owner_name,
        "progress": round(goal.progress, 4),
        "weight": str(goal.weight),
        "children": [tree_to_dict(child) for child in node.children],
    }


class GoalViewSet(
    ViewerAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Goals (objectives and KPIs) with their key results. Updates carry `version` (optimistic
    locking: a stale one answers 409 naming who changed it)."""

    serializer_class = GoalSerializer
    filterset_class = GoalFilter
    filter_backends = [FilterBackend, GoalOrdering]
    queryset = Goal.objects.none()

    @property
    def service_scopes(self) -> dict[str, str]:
        """A service account granted `goals:read` lists and reads goals (within its units);
        nothing else here is for it."""
        return {"GET": "goals:read"} if self.action in ("list", "retrieve") else {}

    def _scoped(self):
        account = service_account(self.request)
        return (
            permissions.account_goals(account)
            if account is not None
            else permissions.visible_goals(self.person)
        )

    def get_queryset(self):
        return (
            selectors.goals_with_key_results(self._scoped())
            .prefetch_related("supports")
            .order_by(*selectors_lists.GOAL_ORDERINGS[selectors_lists.DEFAULT_GOAL_ORDERING])
        )

    def list(self, request, *args, **kwargs):
        """Goals the caller may see, 50 a page (`page`, or keyset paging with `cursor`), in
        an indexed order (`ordering`)."""
        goals = self.filter_queryset(self._scoped())
        page = self.paginate_queryset(selectors_lists.goal_list_rows(goals))
        return self.get_paginated_response(
            selectors_lists.goal_list_payload(self.viewer, list(page))
        )

    def get_serializer_class(self):
        if self.action == "create":
            return GoalCreateSerializer
        if self.action in ("update", "partial_update"):
            return GoalUpdateSerializer
        return GoalSerializer

    def _goal(self, action_name: str = "view") -> Goal:
        return permissions.get_goal_for(self.person, self.kwargs["pk"], action_name)

    def _read(self, goal: Goal, code=status.HTTP_200_OK) -> Response:
        goal = self.get_queryset().get(pk=goal.pk)
        return Response(GoalSerializer(goal, context=self.get_serializer_context()).data, code)

    @extend_schema(request=GoalCreateSerializer, responses={201: GoalSerializer})
    def create(self, request, *args, **kwargs):
        data = GoalCreateSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        key_results = [
            {k: v for k, v in row.items() if v is not None or k == "due_on"}
            for row in values.pop("key_results")
        ]
        goal = services.create_goal(actor=self.person, key_results=key_results, **values)
        return self._read(goal, status.HTTP_201_CREATED)

    @extend_schema(
        request=GoalUpdateSerializer,
        responses={
            200: GoalSerializer,
            409: OpenApiResponse(description="Changed by someone else since `version`."),
        },
    )
    def update(self, request, *args, **kwargs):
        goal = self._goal("edit")
        data = GoalUpdateSerializer(
            data=request.data,
            partial=kwargs.get("partial", False),
            context=self.get_serializer_context(),
        )
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "version" not in values:
            raise ValidationError({"version": [_("Send the version you read.")]})
        version = values.pop("version")
        if "key_results" in values:
            values["key_results"] = [dict(row) for row in values["key_results"]]
        try:
            goal = services.update_goal(actor=self.person, goal=goal, version=version, **values)
        except services.StaleVersion as exc:
            raise Conflict(detail=str(exc)) from None
        return self._read(goal)

    @extend_schema(
        request=GoalUpdateSerializer,
        responses={
            200: GoalSerializer,
            409: OpenApiResponse(description="Changed by someone else since `version`."),
        },
    )
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    @extend_schema(request=None, responses={200: GoalSerializer})
    @action(detail=True, methods=["post"])
    def propose(self, request, pk=None):
        """Propose a draft or returned goal for agreement (the owner), or assign it (a manager)."""
        goal = services.propose_goal(actor=self.person, goal=self._goal("edit"))
        return self._read(goal)

    @extend_schema(request=None, responses={200: GoalSerializer})
    @action(detail=True, methods=["post"])
    def agree(self, request, pk=None):
        """Agree a proposed goal: the manager agrees the owner's proposal, the owner accepts an
        assignment."""
        goal = services.agree_goal(actor=self.person, goal=self._goal("agree"))
        return self._read(goal)

    @extend_schema(request=CommentSerializer, responses={200: GoalSerializer})
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        """Return the owner's proposal with a comment (required)."""
        data = CommentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        goal = services.return_goal(
            actor=self.person, goal=self._goal("agree"), comment=data.validated_data["comment"]
        )
        return self._read(goal)

    @extend_schema(request=CounterProposeSerializer, responses={200: GoalSerializer})
    @action(detail=True, methods=["post"], url_path="counter-propose")
    def counter_propose(self, request, pk=None):
        """The owner answers an assignment with other targets and a comment."""
        data = CounterProposeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        goal = services.counter_propose_goal(
            actor=self.person,
            goal=self._goal("agree"),
            comment=data.validated_data["comment"],
            targets=data.validated_data.get("targets") or {},
        )
        return self._read(goal)

    @extend_schema(request=CloseSerializer, responses={200: GoalSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close an agreed goal with a score (0–1; default its progress)."""
        data = CloseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        goal = services.close_goal(
            actor=self.person, goal=self._goal("close"), score=data.validated_data.get("score")
        )
        return self._read(goal)

    @extend_schema(request=ScoreSerializer, responses={200: GoalSerializer})
    @action(detail=True, methods=["post"])
    def score(self, request, pk=None):
        """Score the goal while its cycle is in scoring: `self_score` (its owner) and/or
        `manager_score` (above the owner), 0.0–1.0, with a comment."""
        data = ScoreSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        goal = services.score_goal(actor=self.person, goal=self._goal(), **data.validated_data)
        return self._read(goal)

    @extend_schema(responses={200: SmartSerializer})
    @action(detail=True, methods=["get"])
    def smart(self, request, pk=None):
        """The SMART check: a verdict and a message per letter."""
        verdicts = check_goal(self._goal())
        return Response({key: verdict.as_dict() for key, verdict in verdicts.items()})

    @extend_schema(request=CascadeSerializer, responses={200: CascadeResultSerializer})
    @action(detail=True, methods=["post"])
    def cascade(self, request, pk=None):
        """Create child goals for people or units in one action, splitting a key result's target
        equally, by weights or by history (`dry_run` previews the split)."""
        viewer = self.person
        goal = self._goal("cascade")
        data = CascadeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        key_result = goal.key_results.filter(pk=values["key_result"]).first()
        children = _resolve_children(viewer, values["children"])
        result = services.cascade_goal(
            actor=viewer,
            goal=goal,
            key_result=key_result,
            split=values["split"],
            children=children,
            dry_run=values["dry_run"],
            apply_templates=values["apply_templates"],
            title=values["title"],
            aggregation=values["aggregation"],
        )
        goals = result.goals or [None] * len(result.rows)
        payload = CascadeResultSerializer(
            {
                "split": result.split,
                "total": result.total,
                "parent_target": key_result.target_value,
                "fallback": result.fallback,
                "dry_run": values["dry_run"],
                "children": [
                    {
                        "owner_person": row["owner"].pk if row["kind"] == "person" else None,
                        "owner_unit": row["owner"].pk if row["kind"] == "unit" else None,
                        "owner_name": str(row["owner"]),
                        "target_value": row["target_value"],
                        "start_value": row["start_value"],
                        "goal": child.pk if child else None,
                    }
                    for row, child in zip(result.rows, goals, strict=True)
                ],
            }
        ).data
        return Response(
            payload,
            status=status.HTTP_200_OK if values["dry_run"] else status.HTTP_201_CREATED,
        )

    @extend_schema(responses={200: TreeNodeSerializer})
    @action(detail=True, methods=["get"])
    def tree(self, request, pk=None):
        """The goal and every visible goal aligned below it, nested, with progress."""
        root = self._goal()
        return Response(tree_to_dict(selectors.goal_tree(root, self.person)))

    @extend_schema(responses={200: HistoryEntrySerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request, pk=None):
        """Who changed what and when: the goal, its key results and their adjustments."""
        return Response(selectors.goal_history(self._goal()))


def _resolve_children(viewer, rows: list[dict]) -> list[dict]:
    """Owners by id, in one query per kind; an owner the viewer cannot see is a 400."""
    person_ids = {r["owner_person"] for r in rows if r.get("owner_person") is not None}
    unit_ids = {r["owner_unit"] for r in rows if r.get("owner_unit") is not None}
    people = {
        p.pk: p
        for p in org_permissions.visible_people(viewer)
        .filter(pk__in=person_ids)
        .select_related("unit")
    }
    units = {u.pk: u for u in Unit.objects.filter(pk__in=unit_ids).select_related("head")}
    children = []
    for row in rows:
        child = {"weight": row.get("weight")}
        if row.get("owner_person") is not None:
            if row["owner_person"] not in people:
                raise ValidationError(
                    {"children": [_("Unknown person %(id)s.") % {"id": row["owner_person"]}]}
                )
            child["owner_person"] = people[row["owner_person"]]
        if row.get("owner_unit") is not None:
            if row["owner_unit"] not in units:
                raise ValidationError(
                    {"children": [_("Unknown unit %(id)s.") % {"id": row["owner_unit"]}]}
                )
            child["owner_unit"] = units[row["owner_unit"]]
        children.append(child)
    return children
