"""Size limits every input shares, in the API and in the forms of the pages."""

# The longest free text a person may send in one field (a description, a check-in's notes, a
# lesson's sections): long enough for any honest text, short enough that a request cannot
# store megabytes in a row. A text field with a length of its own (a title: 300) keeps that.
TEXT_MAX_LENGTH = 10_000
