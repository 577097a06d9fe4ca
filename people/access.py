from django.shortcuts import get_object_or_404

from .models import Person


def get_person_for(user, ref):
    """The person with this reference if ``user`` may see them; otherwise 404, never 403."""
    return get_object_or_404(Person.objects.visible_to(user), ref=ref)
