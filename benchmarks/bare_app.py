"""A bare Django view for comparison: the same Django and gunicorn as InScope, one view returning "ok".

No database, no middleware, no templates: the ceiling for a Django request on this machine under the same gunicorn
configuration. benchmarks/worklist_load.py serves it with

    .venv/bin/gunicorn --pythonpath benchmarks bare_app:application -b 127.0.0.1:8766 -w 4

Settings are configured here, in the module, so it never touches inscope.settings or the database.
"""

from __future__ import annotations

import django
from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpRequest, HttpResponse
from django.urls import path

settings.configure(
    DEBUG=False,
    SECRET_KEY="bare-benchmark-app-not-a-secret",  # noqa: S106 - serves one constant page on loopback
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
    DATABASES={},
    USE_TZ=True,
    USE_I18N=False,
)
django.setup()


def ok(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("", ok), path("bare/", ok)]

application = get_wsgi_application()
