from django.urls import path

from inscope.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.event_list, name="list"),
]
