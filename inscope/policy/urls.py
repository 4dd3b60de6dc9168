from django.urls import path

from inscope.policy import views

app_name = "policy"
urlpatterns = [
    path("", views.version_list, name="list"),
    path("new/", views.new, name="new"),
    path("matrix/", views.matrix, name="matrix"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/approve/", views.approve, name="approve"),
    path("<int:pk>/export/", views.export, name="export"),
]
