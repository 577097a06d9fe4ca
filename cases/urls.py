from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("people/<str:ref>/", views.person_timeline, name="person"),
]
