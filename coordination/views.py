"""Thread pages and htmx partials. The pages of the apps below (goal, check-in, resource
request, retrospective) hold only an `hx-get` to `thread`; the thread answers with its
fragment (htmx) or a page of its own (no JavaScript)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from coordination import permissions, selectors, services, targets
from coordination.models import TargetKind
from core.forms import Form
from org.access import person_required


class CommentForm(Form):
    text = forms.CharField(
        label=_("Comment"),
        widget=forms.Textarea(
            attrs={"rows": 2, "placeholder": _("Write a comment; @username or @[Unit] mentions")}
        ),
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


def _context(request, kind, obj, form=None):
    return {
        "kind": kind,
        "target": obj,
        "comments": selectors.thread(request.person, kind, obj.pk),
        "form": form or CommentForm(),
        "thread_url": request.path if request.method == "GET" else None,
    }


def _render(request, kind, obj, form=None, status=200):
    template = "coordination/thread.html"
    if request.htmx:
        template += "#thread"
    return render(request, template, _context(request, kind, obj, form), status=status)


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@person_required
@vary_on_headers("HX-Request")
def thread(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """GET: the thread of an object; POST: a comment or a reply (`parent`)."""
    if kind not in TargetKind.values:
        raise Http404
    obj = targets.get(request.person, kind, pk)
    if request.method != "POST":
        return _render(request, kind, obj)
    form = CommentForm(request.POST)
    if form.is_valid():
        parent = None
        raw = form.cleaned_data.get("parent")
        if raw:
            parent = permissions.get_comment_for(request.person, str(raw))
        try:
            services.post_comment(
                actor=request.person,
                kind=kind,
                target_id=obj.pk,
                text=form.cleaned_data["text"],
                parent=parent,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            if not request.htmx:
                return redirect("coordination:thread", kind, obj.pk)
            return _render(request, kind, obj)
    return _render(request, kind, obj, form, status=400)


@person_required
@require_POST
def comment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    comment = permissions.get_comment_for(request.person, pk, permissions.EDIT)
    kind = comment.target_kind
    obj = targets.get(request.person, kind, comment.target_id)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.edit_comment(
                actor=request.person, comment=comment, text=form.cleaned_data["text"]
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            if not request.htmx:
                return redirect("coordination:thread", kind, obj.pk)
            return _render(request, kind, obj)
    return _render(request, kind, obj, form, status=400)
