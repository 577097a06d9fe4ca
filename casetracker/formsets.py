"""How many rows a formset takes: the lawyer's forms and the admin's inlines alike.

A formset builds as many forms as its management form's TOTAL_FORMS asks for, up to
``absolute_max`` (Django's default: a thousand more than ``max_num``); a posted count of 10^20
once held a worker for minutes building empty forms. Every formset takes at most
``MAX_FORMSET_ROWS`` rows, and a larger count is refused at once with Django's message
("Please submit at most 50 forms.").
"""

MAX_FORMSET_ROWS = 50


def row_limits(max_rows=MAX_FORMSET_ROWS):
    """Keyword arguments for ``formset_factory`` and its kin that cap a formset's rows."""
    return {"max_num": max_rows, "absolute_max": max_rows, "validate_max": True}
