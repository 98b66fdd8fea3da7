"""Chinese everywhere a person reads: the main pages of every demo role, rendered in zh-Hans
(the person's chosen language, as the app remembers it), show no English words outside names
and the organisation's own data, and numbers in the Chinese format.

How: the page's visible text and the attributes a person reads (placeholder, title,
aria-label, alt) are taken from the HTML; every text stored in the database (people's names,
units, goals, lessons... — user data, whatever language it was written in) is removed; what is
left must have no ASCII word of three letters or more outside a short list of terms Chinese
readers use as they are (OKR, KPI, CSV...)."""

import os
import re
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models

from org.models import Person
from tests.main_pages import ROLES, main_pages

ALLOWED = {
    "OKR",
    "OKRs",
    "KPI",
    "KPIs",
    "CSV",
    "XLSX",
    "API",
    "SMART",
    "PDCA",
    "CNY",
    "RMB",
    "Keel",
    "HRBP",
    "Why",  # 5Why, the method's name
    "Excel",
    "Markdown",
    "ICS",
    "iCal",
    "Slack",
    "WeCom",
    "DingTalk",
    "Feishu",
    "SCIM",  # the provisioning standard, named as it is (people import, SCIM, sync)
    "Email",
    "htmx",
    "English",  # the language menu names each language in itself
    "Ctrl",  # key names, as printed on the keys
    "Enter",
}
# Django's own tables hold English that is not the organisation's data.
SYSTEM_APPS = {"auth", "contenttypes", "sessions", "admin", "django_celery_beat"}
READ_ATTRIBUTES = {"placeholder", "title", "aria-label", "alt"}
WORD = re.compile(r"[A-Za-z]{3,}")


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts: list[str] = []  # text nodes and the attributes a person reads
        self.texts: list[str] = []  # text nodes only
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self._skip += 1
        for name, value in attrs:
            if name in READ_ATTRIBUTES and value:
                self.parts.append(value)
            if (
                tag == "input"
                and name == "value"
                and dict(attrs).get("type") in ("submit", "button")
            ):
                self.parts.append(value or "")

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)
            self.texts.append(data)


def readable_text(html: str) -> tuple[str, str]:
    """(everything a person reads, the text nodes alone)."""
    parser = _Text()
    parser.feed(html)
    return "\n".join(parser.parts), "\n".join(parser.texts)


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def user_data() -> list[str]:
    """Every text the database holds (the organisation's data), longest first."""
    found: set[str] = set()
    for model in apps.get_models():
        if model._meta.app_label in SYSTEM_APPS:
            continue
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
            and not f.choices
        ]
        if not fields:
            continue
        for row in model._base_manager.values_list(*fields):
            for value in row:
                for text in _strings(value):
                    found.update(line.strip() for line in text.splitlines())
                    found.add(text.strip())
    return sorted((s for s in found if len(s) >= 3), key=len, reverse=True)


SEGMENT = re.compile(r"…|\.\.\.|[:：·|]")


def _is_data(piece: str, data: list[str]) -> bool:
    return len(piece) >= 3 and any(value.startswith(piece) for value in data)


def _without_data(text: str, data: list[str]) -> str:
    for value in data:
        if value in text:
            text = text.replace(value, " ")
    return text


def _english(text: str) -> set[str]:
    return {w for w in WORD.findall(text) if w not in ALLOWED}


def english_lines(text: str, data: list[str]) -> list[str]:
    """The lines of text (one per text node) still holding English once the organisation's
    data is removed. A shortened value ("Win 40 new qualified le…", a chart's "Cust: 0%")
    counts as data when it is the start of a stored text."""
    found = []
    for line in text.splitlines():
        line = line.strip()
        if not _english(line) or not _english(_without_data(line, data)):
            continue
        head = re.split(r"…|\.\.\.", line)[0]
        if head != line and any(
            _is_data(head[m.end() :].strip(), data) for m in re.finditer(r"^|[:：·|]", head)
        ):
            continue  # a shortened value, after its label
        segments = [seg.strip() for seg in SEGMENT.split(line)]
        if all(
            not _english(seg) or _is_data(seg, data) or not _english(_without_data(seg, data))
            for seg in segments
        ):
            continue
        found.append(line[:600])
    return found


@pytest.fixture
def demo_in_chinese(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    Person.objects.filter(user__username__in=ROLES).update(language="zh-hans")


@pytest.mark.parametrize("username", ROLES)
def test_main_pages_read_in_chinese(demo_in_chinese, client, username):
    person = Person.objects.select_related("user").get(user__username=username)
    client.force_login(person.user)
    data = user_data()
    leftovers: dict[str, list[str]] = {}
    ungrouped: dict[str, set[str]] = {}
    pages = main_pages(username)
    assert len(pages) >= 12
    for path in pages:
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code == 200, (path, response.status_code)
        assert response.headers.get("Content-Language") == "zh-hans", path
        text, shown = readable_text(response.content.decode())
        lines = english_lines(text, data)
        if lines:
            leftovers[path] = lines
        # Amounts of five digits or more are grouped (12,500, not 12500); input placeholders
        # show what to type and stay plain.
        big = {
            line.strip()[:120]
            for line in shown.splitlines()
            if re.search(r"(?<![\d.,:/-])\d{5,}(?![\d年月日/-])", line)
        }
        if big:
            ungrouped[path] = big
    assert leftovers == {}, "\n".join(
        f"{p}: {line}" for p, lines in leftovers.items() for line in dict.fromkeys(lines)
    )
    assert ungrouped == {}, ungrouped
