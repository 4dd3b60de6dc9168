from django.urls import path

from inscope.dicom import views

app_name = "dicom"
urlpatterns = [
    path("", views.interfaces, name="interfaces"),
    path("objects/<int:pk>/", views.received_object, name="object"),
    path("objects/<int:pk>/reprocess/", views.reprocess, name="reprocess"),
    path("messages/<int:pk>/dealt-with/", views.dealt_with, name="dealt-with"),
]
