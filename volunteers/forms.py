"""Forms of the volunteers pages. They only shape input: the rules (ID numbers, ages, places,
windows) live in volunteers.services, whose errors are put back on the fields here."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from portal.forms import ListTextField
from portal.identifiers import validate_resident_id
from providers.forms import DateInput, DivisionChoiceField, division_choices
from volunteers.models import ActivityDomain, Organisation, Skill, TimeOfWeek
from volunteers.services.common import MAX_NEEDED

# Service fields whose form field has another name.
REGISTER_FIELDS = {"consent_version": "consent"}


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def _blank_choice(choices, label=None) -> list:
    return [("", label or _("不限")), *choices]


class ActivitySearchForm(forms.Form):
    """The activity search of the 志愿服务 page: every field optional, the same parameters as
    the search API (q, domain, division, date_from, date_to, skill)."""

    q = forms.CharField(label=_("关键词"), max_length=100, required=False)
    domain = forms.ChoiceField(label=_("服务领域"), required=False)
    division = forms.ChoiceField(label=_("区（县、市）"), required=False)
    date_from = forms.DateField(label=_("开始日期"), required=False, widget=DateInput)
    date_to = forms.DateField(label=_("结束日期"), required=False, widget=DateInput)
    skill = forms.ChoiceField(label=_("技能"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["domain"].choices = _blank_choice(ActivityDomain.choices, _("全部"))
        self.fields["division"].choices = _blank_choice(division_choices(), _("全市"))
        self.fields["skill"].choices = _blank_choice(Skill.choices)
        self.fields["q"].widget.attrs.update(
            {"type": "search", "placeholder": _("例如：助老、陪伴、敬老院")}
        )

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("结束日期不能早于开始日期。"))
        return data

    def search_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "text": data.get("q") or "",
            "domain": data.get("domain") or "",
            "division": data.get("division") or "",
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
            "skill": data.get("skill") or "",
        }


class SignupForm(forms.Form):
    position = forms.TypedChoiceField(label=_("报名岗位"), coerce=int, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("留言（选填）"),
        max_length=200,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, activity, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = []
        for position in activity.positions.all():
            left = max(position.needed - position.accepted, 0)
            if left:
                label = _("%(name)s（剩余 %(left)s 个名额）") % {
                    "name": position.name,
                    "left": left,
                }
            else:
                label = _("%(name)s（已满，报名将进入候补）") % {"name": position.name}
            choices.append((position.pk, label))
        self.fields["position"].choices = choices
        if len(choices) == 1:
            self.fields["position"].initial = choices[0][0]


class RegisterForm(forms.Form):
    """Real-name registration (实名注册). The ID number is checked by the service."""

    real_name = forms.CharField(label=_("真实姓名"), max_length=50)
    id_number = forms.CharField(
        label=_("居民身份证号码"),
        max_length=18,
        help_text=_("仅用于实名核验，平台只保存加密摘要和脱敏号码。"),
    )
    phone = forms.CharField(label=_("联系电话"), max_length=20)
    division = DivisionChoiceField(label=_("所在区（县、市）"))
    skills = forms.MultipleChoiceField(
        label=_("技能特长"),
        choices=Skill.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    languages = ListTextField(
        label=_("语言/方言（用顿号分隔）"), max_length=100, required=False, initial="普通话"
    )
    available_times = forms.MultipleChoiceField(
        label=_("可服务时间"),
        choices=TimeOfWeek.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    guardian_name = forms.CharField(label=_("监护人姓名"), max_length=50, required=False)
    guardian_phone = forms.CharField(label=_("监护人电话"), max_length=20, required=False)
    guardian_consent = forms.BooleanField(
        label=_("监护人已知悉并同意本人参加志愿服务"), required=False
    )
    consent = forms.BooleanField(
        error_messages={"required": _("注册前请阅读并同意志愿服务协议。")},
    )
    agreement_version = forms.CharField(widget=forms.HiddenInput)

    GUARDIAN_FIELDS = ("guardian_name", "guardian_phone", "guardian_consent")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        version = settings.VOLUNTEER_AGREEMENT_VERSION
        self.fields["consent"].label = _(
            "我已阅读并同意《志愿服务协议》（%(version)s 版），同意平台为志愿服务记录我的信息"
        ) % {"version": version}
        self.fields["agreement_version"].initial = version
        self.fields["division"].choices = [("", _("请选择")), *division_choices()]
        self.fields["id_number"].widget.attrs.update(
            {"autocomplete": "off", "data-id-number": "", "spellcheck": "false"}
        )
        self.fields["phone"].widget.attrs.update({"autocomplete": "tel", "inputmode": "tel"})

    def clean_id_number(self) -> str:
        # The service checks it again; here it only lets every error show at once.
        value = self.cleaned_data["id_number"].strip().upper()
        validate_resident_id(value)
        return value

    def person_fields(self):
        skip = {*self.GUARDIAN_FIELDS, "consent"}
        return [f for f in self.visible_fields() if f.name not in skip]

    def guardian_fields(self):
        return [self[name] for name in self.GUARDIAN_FIELDS]

    def consent_fields(self):
        return [self["consent"]]

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "real_name": data["real_name"],
            "id_number": data["id_number"],
            "phone": data["phone"],
            "division_code": data["division"],
            # The version shown on the page the person agreed to, not today's setting.
            "consent_version": data["agreement_version"] if data.get("consent") else "",
            "skills": data.get("skills") or [],
            "languages": data.get("languages") or [],
            "available_times": data.get("available_times") or [],
            "guardian_name": data.get("guardian_name") or "",
            "guardian_phone": data.get("guardian_phone") or "",
            "guardian_consent": bool(data.get("guardian_consent")),
        }


class CheckinForm(forms.Form):
    """The short code shown at the place: the first entry checks in, the second checks out."""

    activity = forms.TypedChoiceField(label=_("活动"), coerce=int)
    code = forms.CharField(
        label=_("现场签到码"),
        max_length=8,
        help_text=_("请输入活动现场展示的 6 位数字签到码。"),
    )

    def __init__(self, *args, signups, activity=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = [(s.activity_id, s.activity.title) for s in signups]
        if activity is not None and activity.pk not in {pk for pk, _label in choices}:
            choices.insert(0, (activity.pk, activity.title))
        self.fields["activity"].choices = choices
        if activity is not None:
            self.fields["activity"].initial = activity.pk
        self.fields["code"].widget.attrs.update(
            {"inputmode": "numeric", "autocomplete": "one-time-code", "class": "code-input"}
        )


class OrganisationForm(forms.Form):
    name = forms.CharField(label=_("组织名称"), max_length=100)
    kind = forms.ChoiceField(label=_("组织类型"), choices=Organisation.Kind.choices)
    credit_code = forms.CharField(
        label=_("统一社会信用代码"),
        max_length=18,
        required=False,
        help_text=_("社区志愿服务队可不填；社会组织和服务机构须填写。"),
    )
    division = DivisionChoiceField()
    contact_phone = forms.CharField(label=_("联系电话"), max_length=20)
    description = forms.CharField(
        label=_("组织简介"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["division"].choices = [("", _("请选择")), *division_choices()]

    def service_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        data["division_code"] = data.pop("division")
        return data


class ActivityForm(forms.Form):
    title = forms.CharField(label=_("活动名称"), max_length=100)
    description = forms.CharField(
        label=_("活动介绍"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    domain = forms.ChoiceField(label=_("服务领域"), choices=ActivityDomain.choices)
    division = DivisionChoiceField(label=_("活动所在区（县、市）"))
    online = forms.BooleanField(label=_("线上活动（无需填写地点）"), required=False)
    address = forms.CharField(label=_("活动地点"), max_length=200, required=False)
    latitude = forms.DecimalField(
        label=_("纬度（选填，GCJ-02）"), max_digits=9, decimal_places=6, required=False
    )
    longitude = forms.DecimalField(
        label=_("经度（选填，GCJ-02）"), max_digits=9, decimal_places=6, required=False
    )
    starts_at = forms.DateTimeField(
        label=_("开始时间"), widget=DateTimeInput, input_formats=["%Y-%m-%dT%H:%M"]
    )
    ends_at = forms.DateTimeField(
        label=_("结束时间"), widget=DateTimeInput, input_formats=["%Y-%m-%dT%H:%M"]
    )
    min_age = forms.IntegerField(
        label=_("最低年龄（周岁）"), min_value=0, max_value=80, initial=0, required=False
    )

    def __init__(self, *args, organisation=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if organisation is not None and not self.is_bound:
            self.fields["division"].initial = organisation.division_id


class PositionForm(forms.Form):
    name = forms.CharField(label=_("岗位名称"), max_length=50, required=False)
    skill = forms.ChoiceField(
        label=_("所需技能"), choices=_blank_choice(Skill.choices), required=False
    )
    needed = forms.IntegerField(
        label=_("招募人数"), min_value=1, max_value=MAX_NEEDED, required=False
    )

    def clean(self):
        data = super().clean()
        if data.get("name") and not data.get("needed"):
            self.add_error("needed", _("请填写招募人数。"))
        if data.get("needed") and not data.get("name"):
            self.add_error("name", _("请填写岗位名称。"))
        return data


# Three rows to fill; an empty row is no position.
PositionFormSet = forms.formset_factory(PositionForm, extra=3, max_num=3, absolute_max=3)


def activity_data(form: ActivityForm, formset) -> dict:
    """The service's `data` for activity_publish from the two validated forms."""
    data = dict(form.cleaned_data)
    data["min_age"] = data.get("min_age") or 0
    data["positions"] = [
        {
            "name": f.cleaned_data["name"],
            "needed": f.cleaned_data["needed"],
            "skills": [f.cleaned_data["skill"]] if f.cleaned_data.get("skill") else [],
        }
        for f in formset.forms
        if f.cleaned_data.get("name")
    ]
    return data
