from django.urls import path

from inscope.competencies import export_views, overview_views, views

app_name = "competencies"
urlpatterns = [
    path("", views.people, name="people"),
    path("matrix/", overview_views.matrix, name="matrix"),
    path("frameworks/", overview_views.frameworks, name="frameworks"),
    path("frameworks/import/", overview_views.framework_import, name="framework-import"),
    path("frameworks/<int:pk>/export/", overview_views.framework_export, name="framework-export"),
    path("entitlement-record.csv", export_views.entitlement_record, name="entitlement-record"),
    path("evidence/<int:pk>/file/", export_views.evidence_file, name="evidence-file"),
    path("<str:username>/", views.person_portfolio, name="portfolio"),
    path("<str:username>/portfolio.csv", export_views.portfolio_csv, name="portfolio-csv"),
    path("<str:username>/portfolio.pdf", export_views.portfolio_pdf, name="portfolio-pdf"),
    path("<str:username>/<slug:form>/", views.write, name="write"),
]
