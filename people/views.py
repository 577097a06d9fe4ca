from django.shortcuts import render


def home(request):
    return render(request, "people/home.html")


def directory(request):
    return render(request, "people/directory.html")


def detail(request, ref):
    return render(request, "people/detail.html")
