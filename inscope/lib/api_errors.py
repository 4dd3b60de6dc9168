"""The API's error bodies (inscope/api.py writes them), shared by every app's router."""

from __future__ import annotations

from typing import Any

from ninja import Field, Schema


class ErrorOut(Schema):
    error: str = Field(description="What is wrong, in words to show the user.")
    field: str | None = Field(default=None, description="The input field at fault, where there is one.")


class ValidationErrorOut(ErrorOut):
    detail: list[dict[str, Any]] = Field(description="Every problem found, as pydantic reports it.")
