"""Links from a person's page to the lawyer's forms.

{% load case_edit %}
{% if can_edit %}<a href="{{ entry|edit_url:person }}">Edit</a>{% endif %}
"""

from django import template

from cases import edit_urls

register = template.Library()


@register.filter
def edit_url(entry, person):
    """The edit form of the record behind a timeline entry."""
    return edit_urls.edit_url(person, *edit_urls.entry_record(entry))


@register.filter
def delete_url(entry, person):
    """The delete confirmation of the record behind a timeline entry."""
    return edit_urls.delete_url(person, *edit_urls.entry_record(entry))


@register.simple_tag
def add_url(person, kind):
    """{% add_url person "hearing" %}: the form that adds a record of that kind."""
    return edit_urls.add_url(person, kind)
