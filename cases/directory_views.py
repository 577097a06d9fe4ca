"""The directory of persons: /people/ and /people.json (filters, search, facets)."""

from django.shortcuts import render

from people.models import Person


def directory(request):
    persons = Person.objects.visible_to(request.user).prefetch_related("variants")
    return render(request, "cases/directory.html", {"persons": persons})


def directory_json(request):
    raise NotImplementedError
