"""Forms of the registry pages (一网通查, the officials' registry, annual reports, evaluation).
They only shape input: the rules live in socialorgs.services, whose Chinese errors are put
back on these fields (portal.forms.apply_domain_error)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import Division, division_prefix
from portal.templatetags.money import yuan
from providers.forms import DateInput, division_choices
from socialorgs.models import AnnualReport, Evaluation, OrgDomain, OrgMembership, SocialOrganisation

Org = SocialOrganisation


def _blank(choices, label=None) -> list:
    return [("", label or _("不限")), *choices]


def _decimal_text(label, *, required: bool = False, help_text: str = "") -> forms.CharField:
    """Numbers as text: the service parses them and says in Chinese what is wrong."""
    return forms.CharField(
        label=label,
        required=required,
        max_length=30,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )


class OrgSearchForm(forms.Form):
    """一网通查: every field optional, the same parameters as the search API."""

    q = forms.CharField(label=_("名称、拼音或统一社会信用代码"), max_length=100, required=False)
    kind = forms.ChoiceField(label=_("组织类型"), required=False)
    domain = forms.ChoiceField(label=_("业务领域"), required=False)
    division = forms.ChoiceField(label=_("所在区（县、市）"), required=False)
    grade = forms.TypedChoiceField(
        label=_("评估等级"), coerce=int, required=False, empty_value=None
    )
    status = forms.ChoiceField(label=_("登记状态"), required=False)
    standing = forms.ChoiceField(label=_("信用状态"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = _blank(Org.Kind.choices, _("全部"))
        self.fields["domain"].choices = _blank(OrgDomain.choices, _("全部"))
        self.fields["division"].choices = _blank(division_choices(), _("全市"))
        self.fields["grade"].choices = _blank(Evaluation.Grade.choices)
        self.fields["status"].choices = _blank(Org.Status.choices)
        self.fields["standing"].choices = _blank(Org.Standing.choices)
        self.fields["q"].widget.attrs.update(
            {"type": "search", "placeholder": _("例如：社会工作、shgz、52510107…")}
        )

    def search_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "text": data.get("q") or "",
            "kind": data.get("kind") or "",
            "domain": data.get("domain") or "",
            "division": data.get("division") or "",
            "grade": data.get("grade"),
            "status": data.get("status") or "",
            "standing": data.get("standing") or "",
        }


def jurisdiction_division_choices(official) -> list[tuple[str, str]]:
    """The districts (and the city) of the portal's city the official covers."""
    city = settings.PORTAL_CITY_CODE
    prefix = division_prefix(official.jurisdiction_id or "")
    divisions = Division.objects.filter(code__startswith=city[:4], code__regex=r"^[0-9]{6}$")
    return [(d.code, d.name) for d in divisions.order_by("code") if d.code.startswith(prefix)]


class OrgForm(forms.Form):
    """Register (every field) or edit (without the code and the kind) an organisation."""

    name = forms.CharField(label=_("组织名称"), max_length=100)
    credit_code = forms.CharField(
        label=_("统一社会信用代码"),
        max_length=30,
        help_text=_(
            "18 位，第 1 位为 5（民政登记），"
            "第 2 位为类别：1 社会团体、2 民办非企业单位、3 基金会。"
        ),
    )
    kind = forms.ChoiceField(label=_("组织类型"), choices=_blank(Org.Kind.choices, _("请选择")))
    domain = forms.ChoiceField(label=_("业务领域"), choices=_blank(OrgDomain.choices, _("请选择")))
    business_scope = forms.CharField(
        label=_("业务范围"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    authority = forms.CharField(label=_("登记管理机关"), max_length=100)
    division = forms.ChoiceField(label=_("住所所在区（县、市）"))
    address = forms.CharField(label=_("住所"), max_length=200, required=False)
    latitude = _decimal_text(_("纬度（GCJ-02，选填）"))
    longitude = _decimal_text(_("经度（GCJ-02，选填）"))
    legal_rep_name = forms.CharField(label=_("法定代表人"), max_length=50)
    founded_on = forms.DateField(label=_("成立登记日期"), widget=DateInput)
    registered_capital = _decimal_text(_("注册资金（元，选填）"))

    def __init__(self, *args, official, editing=None, **kwargs) -> None:
        """`editing`: the organisation being edited. Its legal representative's name is not
        put into the form (that would show it in full): left blank, it stays as it is."""
        super().__init__(*args, **kwargs)
        self.fields["division"].choices = jurisdiction_division_choices(official)
        if editing is not None:
            del self.fields["credit_code"]
            del self.fields["kind"]
            rep = self.fields["legal_rep_name"]
            rep.required = False
            rep.label = _("更换法定代表人（选填）")
            rep.help_text = _("当前：%(masked)s。留空则不变。") % {
                "masked": editing.legal_rep_masked
            }

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        for key in ("latitude", "longitude", "registered_capital"):
            data[key] = (data.get(key) or "").strip() or None
        if "credit_code" not in self.fields and not data.get("legal_rep_name"):
            data.pop("legal_rep_name", None)
        return data


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("变更为"),
        choices=[
            (Org.Status.REVOKED, Org.Status.REVOKED.label),
            (Org.Status.DEREGISTERED, Org.Status.DEREGISTERED.label),
        ],
        widget=forms.RadioSelect,
    )
    changed_on = forms.DateField(label=_("状态变更日期"), widget=DateInput)
    reason = forms.CharField(
        label=_("变更原因（公开显示）"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )


class CharityForm(forms.Form):
    is_charity = forms.BooleanField(label=_("认定为慈善组织"), required=False)
    charity_recognised_on = forms.DateField(
        label=_("慈善组织认定日期"), required=False, widget=DateInput
    )
    public_fundraising = forms.BooleanField(label=_("具有公开募捐资格"), required=False)
    fundraising_qualified_on = forms.DateField(
        label=_("取得公开募捐资格日期"), required=False, widget=DateInput
    )


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("手机号码（须已在本平台注册）"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )


class MemberForm(PhoneForm):
    role = forms.ChoiceField(
        label=_("角色"),
        choices=[
            (OrgMembership.Role.MANAGER, OrgMembership.Role.MANAGER.label),
            (OrgMembership.Role.MEMBER, OrgMembership.Role.MEMBER.label),
        ],
        initial=OrgMembership.Role.MEMBER,
    )


class AnnualReportForm(forms.Form):
    """The year's report: what the organisation did, its finances in yuan, its people."""

    activities = forms.CharField(
        label=_("业务活动情况"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("本年度开展的主要业务活动、服务对象和成效。"),
    )
    income = _decimal_text(_("本年收入（元）"))
    expenditure = _decimal_text(_("本年支出（元）"))
    net_assets = _decimal_text(_("年末净资产（元）"))
    staff_count = forms.CharField(
        label=_("专职工作人员数"),
        max_length=10,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    volunteer_count = forms.CharField(
        label=_("志愿者人数"),
        max_length=10,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )

    @staticmethod
    def initial_of(report: AnnualReport | None) -> dict:
        if report is None:
            return {}
        return {
            "activities": report.activities,
            "income": yuan(report.income_fen),
            "expenditure": yuan(report.expenditure_fen),
            "net_assets": yuan(report.net_assets_fen),
            "staff_count": report.staff_count,
            "volunteer_count": report.volunteer_count,
        }


REVIEW_DECISIONS = [
    *AnnualReport.Result.choices,
    ("return", _("退回修改")),
]


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审核结论"), choices=REVIEW_DECISIONS, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("审核意见（组织可见）"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class EvaluationForm(forms.Form):
    basic_conditions = _decimal_text(_("基础条件（满分 100）"), required=True)
    governance = _decimal_text(_("内部治理（满分 400）"), required=True)
    performance = _decimal_text(_("工作绩效（满分 350）"), required=True)
    social_evaluation = _decimal_text(_("社会评价（满分 150）"), required=True)
    awarded_on = forms.DateField(label=_("评定日期"), widget=DateInput)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("撤销原因"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )
