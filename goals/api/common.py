"""Shared helpers of the goals API."""

from org import permissions


def _viewer(request):
    return permissions.person_of(request.user)
