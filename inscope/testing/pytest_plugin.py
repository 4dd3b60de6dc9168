"""Loaded by pytest before Django's settings (``-p`` in pyproject's addopts), so plain ``pytest`` works.

Playwright's sync API runs an event loop, which would otherwise make Django's ORM refuse to run in teardown
(SynchronousOnlyOperation); DEBUG lets the settings start without a production SECRET_KEY.
"""

import os

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
os.environ.setdefault("DEBUG", "true")
