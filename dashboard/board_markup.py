"""The OKR board's goal cards and the unit filter's options, written directly rather than
through the template engine: a board shows 200 cards (50 a column) and the filter every unit
of the organisation (1,026 at 10,000 people), and the engine's per-variable lookups, per-card
include and translations were most of the page's time. What stays the same per page (the goal
link's pattern, the labels, the translated words) is looked up once, not once per card.

The output is the markup the templates drew, character for character, in English and Chinese
(tests/dashboard/test_board_markup.py renders the old templates, kept in
tests/dashboard/reference/, beside these)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from goals.models import Goal

_PK = 2_147_483_647  # a placeholder id: the goal link's pattern is reversed once per page


def _v(value) -> str:
    """A value as the template engine prints it: localized, escaped."""
    return conditional_escape(localize(value))


def _int(value) -> str:
    """An id or a count as the engine prints it: without thousand separators (the setting's
    default) that is str(), so the locale's number formats are not looked up for each."""
    if type(value) is int and not settings.USE_THOUSAND_SEPARATOR:
        return str(value)
    return _v(value)


def _percent(progress) -> str:
    """`{% widthratio progress 1 100 %}`: the progress as a whole percentage ("" if none)."""
    try:
        return str(round(float(progress) * 100))
    except (ValueError, TypeError, OverflowError):
        return ""


class _Words:
    """The words of the cards in the active language, translated once per page (a count's or
    a score's words once per value)."""

    def __init__(self) -> None:
        self.levels = {value: _v(label) for value, label in Goal.Level.choices}
        self.states = {value: _v(label) for value, label in Goal.State.choices}
        self.commitments = {value: _v(label) for value, label in Goal.Commitment.choices}
        self.expected_score = _v(gettext("Expected score"))
        self.off_track = gettext("dependency off track")
        self._said: dict = {}

    def plural(self, singular: str, plural: str, n) -> str:
        """`{% blocktranslate count n=… %}`: the count printed as a value, the words
        translated."""
        key = (singular, n)
        if key not in self._said:
            self._said[key] = ngettext(singular, plural, n) % {"n": _int(n)}
        return self._said[key]

    def expected(self, score) -> str:
        """`{% blocktranslate with score=expected %}expected {{ score }}{% endblocktranslate %}`"""
        key = ("expected", score)
        if key not in self._said:
            self._said[key] = gettext("expected %(score)s") % {"score": _v(score)}
        return self._said[key]


def _commitment(g, words: _Words) -> str:
    """goals/_commitment.html: the commitment and the score the goal is expected at."""
    expected = words.expected(g.expected)
    label = words.commitments.get(g.commitment)
    if label is None:
        label = _v(g.get_commitment_display())
    return (
        f'<span class="badge commitment {_v(g.commitment)}" title="{words.expected_score}">'
        f"{label} · {expected}</span>\n"  # (the template's last line break)
    )


def _links(links, words: _Words) -> str:
    supported_by, supports = links.supported_by, links.supports
    if not (supported_by or supports):
        return ""
    parts = ['<div class="small support-links">']
    if supported_by:
        parts.append(
            words.plural("supported by %(n)s goal", "supported by %(n)s goals", supported_by)
        )
    if supported_by and supports:
        parts.append(" · ")
    if supports:
        parts.append(words.plural("supports %(n)s goal", "supports %(n)s goals", supports))
    if links.at_risk:
        parts.append(f' <span class="badge off_track dependency-at-risk">{words.off_track}</span>')
    parts.append("</div>")
    return "".join(parts)


def _card(g, link: str, words: _Words) -> str:
    percent = _percent(g.progress)
    level = words.levels.get(g.level)
    if level is None:
        level = _v(g.get_level_display())
    state = ""
    if g.state != "agreed":
        label = words.states.get(g.state)
        state = f" · {label if label is not None else _v(g.get_state_display())}"
    key_results = words.plural("%(n)s key result", "%(n)s key results", g.kr_count)
    return (
        "\n"
        '  <article class="card goal-card">\n'
        f'    <a href="{link.format(g.pk)}"><strong>{_v(g.title)}</strong></a>\n'
        f'    <div class="small muted">{_v(g.owner_name)} · {level}{state}</div>\n'
        f'    <progress class="progress {_v(g.current_status)}" max="100" value="{percent}">'
        f"{percent}%</progress>\n"
        f'    <div class="small">{percent}% · {key_results}</div>\n'
        f'    <div class="small">{_commitment(g, words)}</div>\n'
        f"    {_links(g.links, words)}\n"
        "  </article>\n"
    )


def cards_markup(goals, more_url: str | None) -> SafeString:
    """One page of a board column: its cards (each goal with `owner_name`, `current_status`,
    `kr_count`, `expected` and `links`, as the board's view prepares them), "None." for no
    card, and the link to the next page (htmx swaps it for the next cards)."""
    words = _Words()
    link = conditional_escape(reverse("goals:detail", args=[_PK])).replace(str(_PK), "{}")
    cards = [_card(g, link, words) for g in goals]
    if not cards:
        cards = [f'\n  <p class="muted small m-s">{_v(gettext("None."))}</p>\n']
    more = ""
    if more_url:
        url = _v(more_url)
        more = (
            "\n"
            f'  <a class="btn secondary small no-print board-more" href="{url}" hx-get="{url}" '
            f'hx-target="this" hx-swap="outerHTML">{_v(gettext("More"))}</a>\n'
        )
    return mark_safe("".join(cards) + "\n" + more)  # noqa: S308 - every value above is escaped


def unit_options(units, chosen) -> SafeString:
    """The unit filter's options: every unit, the chosen one (or None) selected."""
    chosen_pk = chosen.pk if chosen else None
    return mark_safe(  # noqa: S308 - every value is escaped
        "".join(
            f'<option value="{_int(u.pk)}"{" selected" if chosen and u.pk == chosen_pk else ""}>'
            f"{_v(u.name)}</option>"
            for u in units
        )
    )
