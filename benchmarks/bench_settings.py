"""InScope's settings with one change, used by worklist_load.py only if the real settings fail to render pages.

With DEBUG off, ``static("vendor/nhsuk/assets")`` in inscope/templates/base.html names a directory, which has
no entry in the collectstatic manifest, so CompressedManifestStaticFilesStorage raises and every HTML page is a
500 (see docs/performance.md). Until that is fixed, the benchmark serves pages with a storage that falls back
to the unhashed name for entries missing from the manifest (``manifest_strict = False``); nothing else differs.
"""

from inscope.settings import *  # noqa: F403

STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "bench_storage.LenientManifestStaticFilesStorage"}}  # noqa: F405
