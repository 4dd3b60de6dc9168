from django.contrib import admin
from django.urls import include, path

from inscope.api import api
from inscope.staff import views as staff_views

urlpatterns = [
    path("", staff_views.home, name="home"),
    path("", include("inscope.staff.urls")),
    path("examinations/", include("inscope.exams.urls")),
    path("supervision/", include("inscope.supervision.urls")),
    path("policy/", include("inscope.policy.urls")),
    path("people/", include("inscope.competencies.urls")),
    path("audit/", include("inscope.audit.urls")),
    path("interfaces/", include("inscope.dicom.urls")),
    path("dose/", include("inscope.dose.urls")),
    path("equipment/", include("inscope.equipment.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
