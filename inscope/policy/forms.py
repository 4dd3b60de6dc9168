"""Forms for writing and approving the local policy document (checked here; the services do the rest)."""

from __future__ import annotations

from typing import Any

from django import forms

MAX_UPLOAD_BYTES = 1024 * 1024  # 1 MB
YAML_SUFFIXES = (".yaml", ".yml")


class PolicyTextForm(forms.Form):
    """The YAML text of a draft, or a file whose text replaces it."""

    source_yaml = forms.CharField(required=False, strip=False)
    upload = forms.FileField(required=False)

    def clean_upload(self) -> str | None:
        upload = self.cleaned_data.get("upload")
        if not upload:
            return None
        if not upload.name.lower().endswith(YAML_SUFFIXES):
            raise forms.ValidationError("The selected file must be a YAML file (ending .yaml or .yml).")
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The selected file must be smaller than 1 MB.")
        try:
            return upload.read().decode("utf-8")
        except UnicodeDecodeError:
            raise forms.ValidationError(
                "The selected file is not UTF-8 text. Save it as UTF-8 (plain text) and choose it again."
            ) from None

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        text = cleaned.get("upload") or cleaned.get("source_yaml") or ""
        text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
        if not text.strip() and "upload" not in self.errors:
            self.add_error("source_yaml", "Enter the policy document, or choose a file to import")
        cleaned["text"] = text
        return cleaned


class ApproveForm(forms.Form):
    note = forms.CharField(
        max_length=300,
        error_messages={
            "required": "Enter an approval note (for example, the governance meeting that agreed it)",
            "max_length": "The approval note must be 300 characters or fewer",
        },
    )
