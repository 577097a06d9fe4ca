from django.shortcuts import render

from .models import Person


def home(request):
    return render(request, "people/home.html")


def directory(request):
    persons = Person.objects.visible_to(request.user).prefetch_related("variants")
    return render(request, "people/directory.html", {"persons": persons})
