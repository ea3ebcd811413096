"""`{% complaint_subject complaint as subject %}`: what a complaint is about, for its pages
(the label, the name, its public page and, for a subject that is not a provider, its kind)."""

from __future__ import annotations

from django import template

from ratings import complaint_subjects

register = template.Library()


@register.simple_tag
def complaint_subject(complaint) -> dict:
    is_provider = complaint.subject_kind == complaint.SubjectKind.PROVIDER
    return {
        "label": complaint_subjects.subject_label(complaint),
        "name": complaint.subject_display,
        "link": complaint_subjects.subject_link(complaint),
        "kind_label": "" if is_provider else complaint.get_subject_kind_display(),
        "ref": "" if is_provider else complaint.subject_ref,
    }
