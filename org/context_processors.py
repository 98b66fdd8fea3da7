from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from org import scopes

# (url name, label, roles that see it; empty = everyone). Entries whose URL does not exist
# (an app not built yet) are left out, so the navigation only ever links to real pages.
NAVIGATION = [
    ("home", _("Home"), ()),
    ("goals:list", _("Goals"), ()),
    ("tracking:this-week", _("This week"), ()),
    ("dashboard:manager", _("Team"), ("manager",)),
    ("tracking:weekly-review", _("Weekly review"), ("manager",)),
    ("resources:resource-inbox", _("Requests"), ()),
    ("incentives:recognitions", _("Recognition"), ()),
    ("retros:lessons", _("Lessons"), ()),
    ("reviews:home", _("Reviews"), ()),
    ("dashboard:units", _("My units"), ("hrbp",)),
    ("dashboard:alignment", _("Alignment"), ("hrbp", "admin")),
    ("dashboard:company", _("Company"), ("admin",)),
    ("dashboard:audit", _("Audit"), ("hrbp", "admin")),
    ("integrations:service-accounts", _("Integrations"), ("admin",)),
    ("directory", _("People"), ()),
]


def keel(request):
    person = getattr(request, "person", None)
    if person is None:
        return {"person": None, "nav": [], "roles": []}
    role_list = scopes.roles(person)
    nav = []
    for name, label, needs in NAVIGATION:
        if needs and not set(needs) & set(role_list):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        nav.append({"url": url, "label": label, "active": request.path == url})
    return {"person": person, "nav": nav, "roles": role_list}
