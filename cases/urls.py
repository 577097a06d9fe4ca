from django.urls import path

import people.converters  # noqa: F401  (registers <ref:…>)

from . import access_log_views, directory_views, views

app_name = "cases"

urlpatterns = [
    path("people/", directory_views.directory, name="directory"),
    path("people.json", directory_views.directory_json, name="directory-json"),
    path("people/<ref:ref>/", views.person_timeline, name="person"),
    path("people/<ref:ref>/timeline.json", views.person_timeline_json, name="person-json"),
    path("people/<ref:ref>/access-log/", access_log_views.access_log, name="person-access-log"),
]
