"""Who may change the organisation from outside sources: the people import is for admins and
HRBPs (an HRBP only for the units they partner, checked row by row); directory sync and SCIM
run as a service, not as a viewer."""

from __future__ import annotations

from org.scopes import Viewer


def can_import_people(viewer: Viewer) -> bool:
    return viewer.is_authenticated and (viewer.is_admin or viewer.is_hrbp)
