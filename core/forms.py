"""The base of every form of the pages: free text is capped as in the API (core.limits)."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator

from core.limits import TEXT_MAX_LENGTH


def cap_text(field: forms.Field) -> None:
    """A text field without a maximum length gets TEXT_MAX_LENGTH: the validator Django gives
    `CharField(max_length=...)` (a form error past it) and the input's `maxlength`."""
    if isinstance(field, forms.CharField) and field.max_length is None:
        field.max_length = TEXT_MAX_LENGTH
        field.validators.append(MaxLengthValidator(TEXT_MAX_LENGTH))
        if not field.widget.is_hidden:
            field.widget.attrs.setdefault("maxlength", str(TEXT_MAX_LENGTH))


class Form(forms.Form):
    """A Django form whose text fields are capped (`cap_text`): those it declares and those a
    subclass adds in its `__init__` (capped again before cleaning)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            cap_text(field)

    def full_clean(self):
        for field in self.fields.values():
            cap_text(field)
        super().full_clean()


def checked_text(value: str | None, field: str) -> str | None:
    """A free text a page posts without a form (a comment beside a button): as it is, or a
    ValidationError naming `field` past TEXT_MAX_LENGTH, as a form would answer."""
    if value is not None:
        try:
            MaxLengthValidator(TEXT_MAX_LENGTH)(value)
        except ValidationError as exc:
            raise ValidationError({field: exc.messages}) from None
    return value
