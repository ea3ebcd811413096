"""Forms of the inspection pages. They only shape the input: who may inspect, the checklist
rules and the grading live in ratings.services.inspections and ratings.checklists."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.errors import DomainError
from providers.domains import Domain, domains_of_department
from providers.selectors import provider_list_for_official
from ratings import checklists
from ratings.models import Inspection
from ratings.services.inspections import INSPECTABLE_STATUSES, MAX_DRAW, PHOTOS_PER_INSPECTION

K = Inspection.Kind


class DateInput(forms.DateInput):
    input_type = "date"


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Several photos in one input; type, size and count are checked by the service."""

    widget = MultiplePhotoInput

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultiplePhotoField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)] if data else []


def inspectable_domains(official) -> list[str]:
    """The domains the official's department supervises that have a checklist."""
    return [
        d
        for d in domains_of_department(official.department)
        if checklists.checklist_for_domain(d) is not None
    ]


def _domain_choices(official) -> list[tuple[str, str]]:
    return [(d, Domain(d).label) for d in inspectable_domains(official)]


class InspectionPlanForm(forms.Form):
    provider = forms.ModelChoiceField(label=_("被检查机构"), queryset=None)
    domain = forms.ChoiceField(label=_("检查领域"))
    kind = forms.ChoiceField(
        label=_("检查类型"),
        choices=[(K.ROUTINE, K.ROUTINE.label), (K.COMPLAINT, K.COMPLAINT.label)],
        help_text=_("双随机抽查请使用“随机抽取检查对象”；整改复查在检查不合格时自动安排。"),
    )
    due_on = forms.DateField(label=_("计划检查日期"), widget=DateInput)

    def __init__(self, *args, official, **kwargs):
        super().__init__(*args, **kwargs)
        domains = inspectable_domains(official)
        self.fields["domain"].choices = _domain_choices(official)
        self.fields["provider"].queryset = (
            provider_list_for_official(official=official)
            .filter(status__in=INSPECTABLE_STATUSES, domains__overlap=domains or [""])
            .order_by("name", "pk")
        )


class SpotCheckDrawForm(forms.Form):
    domain = forms.ChoiceField(label=_("检查领域"))
    count = forms.IntegerField(label=_("抽取数量"), min_value=1, max_value=MAX_DRAW, initial=5)
    seed = forms.IntegerField(
        label=_("随机种子"),
        min_value=0,
        required=False,
        help_text=_("留空则自动生成。种子记入审计日志，用同一种子可复核抽取结果。"),
    )
    due_on = forms.DateField(
        label=_("计划检查日期"),
        widget=DateInput,
        required=False,
        help_text=_("留空则为 30 天后。"),
    )

    def __init__(self, *args, official, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["domain"].choices = _domain_choices(official)


class InspectionRecordForm(forms.Form):
    """One number input per checklist item (`item_<code>`), then findings, deadline, photos."""

    findings = forms.CharField(
        label=_("发现的问题"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("不合格时必填，机构将据此整改。"),
    )
    rectification_due = forms.DateField(
        label=_("整改期限"),
        required=False,
        widget=DateInput,
        help_text=_("得分未达满分的六成为不合格，须设定整改期限；到期次日安排整改复查。"),
    )
    photos = MultiplePhotoField(
        label=_("现场照片"),
        required=False,
        widget=MultiplePhotoInput(attrs={"accept": "image/png,image/jpeg"}),
    )

    def __init__(self, *args, checklist: checklists.Checklist, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["photos"].help_text = _("PNG 或 JPEG，每张不超过 5 MB，最多 %(n)d 张。") % {
            "n": PHOTOS_PER_INSPECTION
        }
        self.checklist = checklist
        for item in checklist.items:
            self.fields[f"item_{item.code}"] = forms.DecimalField(
                label=f"{item.code} {item.text}",
                required=False,
                widget=forms.NumberInput(
                    attrs={"min": "0", "max": str(item.max_score), "step": "0.1"}
                ),
            )

    def scores(self) -> dict:
        """The scores given, by item code; an empty input is a missing item."""
        return {
            item.code: self.cleaned_data.get(f"item_{item.code}")
            for item in self.checklist.items
            if self.cleaned_data.get(f"item_{item.code}") is not None
        }

    def areas(self) -> list[tuple[str, list[tuple[checklists.ChecklistItem, object]]]]:
        """The item inputs grouped by area, for the template."""
        return [
            (area, [(item, self[f"item_{item.code}"]) for item in items])
            for area, items in self.checklist.areas()
        ]

    @property
    def item_fields(self) -> set[str]:
        return {f"item_{code}" for code in self.checklist.codes}


class RectifiedForm(forms.Form):
    rectified_on = forms.DateField(label=_("整改完成日期"), widget=DateInput)


def apply_error(form: forms.Form, error: DomainError) -> None:
    """Show a domain error on the fields it names (`items.E1` → the input of item E1), or at
    the top of the form."""
    fields = error.field_errors() or {None: [str(error.message)]}
    for name, messages in fields.items():
        target = name
        if name and name.startswith("items."):
            target = f"item_{name.removeprefix('items.')}"
        if target not in form.fields:
            target = None
        for message in messages:
            form.add_error(target, message)
