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


def apply_domain_error(form: forms.Form, error, field_map: dict | None = None) -> None:
    """Show a domain error on the fields it names (renamed through `field_map`), or at the top
    of the form when the form has no such field."""
    problems = error.field_errors() or {None: [str(error.message)]}
    for name, messages in problems.items():
        target = (field_map or {}).get(name, name)
        for message in messages:
            form.add_error(target if target in form.fields else None, str(message))
