"""`{% board_cards goals more_url %}`: a page of an OKR board column's cards;
`{{ units|unit_options:unit }}`: the unit filter's options (a filter, so djlint leaves the
select it sits in on one line, as it did the loop). Both written in Python
(dashboard.board_markup): the board draws 200 cards and the filter every unit, too many for
the template engine's pace."""

from django import template

from dashboard import board_markup

register = template.Library()


@register.simple_tag
def board_cards(goals, more_url=None):
    return board_markup.cards_markup(goals, more_url)


@register.filter
def unit_options(units, unit=None):
    return board_markup.unit_options(units, unit)
