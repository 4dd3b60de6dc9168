from django.urls import path

from inscope.equipment import views

app_name = "equipment"
urlpatterns = [
    path("", views.register, name="register"),
    path("inventory.csv", views.inventory_csv, name="inventory_csv"),
    path("inventory.xlsx", views.inventory_xlsx, name="inventory_xlsx"),
    path("units/new/", views.unit_form, name="unit_new"),
    path("units/<int:pk>/", views.unit_detail, name="unit"),
    path("units/<int:pk>/edit/", views.unit_form, name="unit_edit"),
    path("units/<int:pk>/<str:form>/", views.unit_write, name="unit_write"),
    path("rooms/<int:room_pk>/fault/", views.room_fault, name="room_fault"),
]
