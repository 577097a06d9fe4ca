from django.urls import path

from . import access_log_views, directory_views, views

app_name = "cases"

urlpatterns = [
    path("people/", directory_views.directory, name="directory"),
    path("people.json", directory_views.directory_json, name="directory-json"),
    path("people/<str:ref>/", views.person_timeline, name="person"),
    path("people/<str:ref>/timeline.json", views.person_timeline_json, name="person-json"),
    path("people/<str:ref>/access-log/", access_log_views.access_log, name="person-access-log"),
]
