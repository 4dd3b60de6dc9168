from django.urls import path

from inscope.exams import coverage_views, escalation_views, views

app_name = "exams"
urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("new/", views.new_request, name="new"),
    path("coverage/", coverage_views.coverage, name="coverage"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/checklist/", views.checklist, name="checklist"),
    path("<int:pk>/justify/", views.justify, name="justify"),
    path("<int:pk>/start/", views.start, name="start"),
    path("<int:pk>/escalate/", views.escalate, name="escalate"),
    path("<int:pk>/complete/", views.complete, name="complete"),
    path("<int:pk>/finding/", views.finding, name="finding"),
    path("escalations/", escalation_views.queue, name="queue"),
    path("escalations/<int:pk>/", escalation_views.escalation_detail, name="escalation"),
    path("escalations/<int:pk>/<str:action>/", escalation_views.act, name="escalation-act"),
]
