import os

from django.core.wsgi import get_wsgi_application

from inscope.lib.secret_key import require_secret_key

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "inscope.settings")
application = get_wsgi_application()
# Sessions and forms are signed with the key: refuse to serve a single page without one.
require_secret_key("Serving InScope")
