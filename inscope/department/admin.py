from django.contrib import admin

from inscope.department.models import Department, Room, Site

admin.site.register(Department)
admin.site.register(Site, list_display=["name", "code", "department"])
admin.site.register(Room, list_display=["name", "site", "modality", "ae_title"])
