from django.urls import path
from django.views.generic import RedirectView

from inscope.policy import views

app_name = "policy"
urlpatterns = [
    path("", views.version_list, name="list"),
    path("new/", views.new, name="new"),
    # The matrix moved to /people/matrix/, with the grants and training; old bookmarks still arrive there.
    path("matrix/", RedirectView.as_view(pattern_name="competencies:matrix", permanent=True), name="matrix"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/approve/", views.approve, name="approve"),
    path("<int:pk>/export/", views.export, name="export"),
]
