"""Pages render with the production static storage (hashed names from collectstatic), not only in development."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse


@pytest.mark.django_db
def test_the_sign_in_page_renders_with_manifest_static_storage(client, settings, tmp_path, manager):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}
    call_command("collectstatic", "--noinput", verbosity=0)

    page = client.get(reverse("staff:login"))
    client.force_login(manager)
    policy_page = client.get(reverse("policy:list"))

    assert page.status_code == 200
    assert policy_page.status_code == 200
    assert re.search(r"vendor/nhsuk/nhsuk-frontend\.min\.[0-9a-f]{12}\.css", page.text)  # the hashed name
