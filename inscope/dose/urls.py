from django.urls import path
from django.views.generic import RedirectView

from inscope.dose.views import audit, drls, saue, studies

app_name = "dose"
urlpatterns = [
    path("", RedirectView.as_view(pattern_name="dose:audit"), name="home"),
    path("audit/", audit.audit_page, name="audit"),
    path("audit.csv", audit.audit_csv, name="audit_csv"),
    path("audit.xlsx", audit.audit_xlsx, name="audit_xlsx"),
    path("studies/<int:pk>/", studies.study_detail, name="study"),
    path("drls/", drls.drl_list, name="drls"),
    path("drls/propose/", drls.propose, name="drl_propose"),
    path("drls/link/", drls.link, name="drl_link"),
    path("drls/<int:pk>/approve/", drls.approve, name="drl_approve"),
    path("drls/<int:pk>/withdraw/", drls.withdraw, name="drl_withdraw"),
    path("saue/", saue.review_list, name="saue"),
    path("saue/<int:pk>/", saue.review_detail, name="saue_review"),
    path("saue/<int:pk>/outcome/", saue.record_outcome, name="saue_outcome"),
]
