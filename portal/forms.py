"""Form fields shared by the apps' forms."""

from __future__ import annotations

import re

from django import forms


class ListTextField(forms.CharField):
    """Free text of items separated by 、 , ， or ; that cleans into a list of strings."""

    def clean(self, value) -> list[str]:
        text = super().clean(value) or ""
        return [item.strip() for item in re.split(r"[、,，;；]", text) if item.strip()]

    def prepare_value(self, value):
        if isinstance(value, (list, tuple)):
            return "、".join(value)
        return value
