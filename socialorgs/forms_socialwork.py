"""Forms of the social-work pages. They only shape input: the rules live in
socialorgs.services.socialwork, whose Chinese errors are put back on these fields
(portal.forms.apply_domain_error)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from providers.forms import DateInput, division_choices
from ratings.dimensions import SOCIAL_WORK
from ratings.forms_reviews import ReviewForm
from socialorgs.models import SocialWorker, SocialWorkProject, TargetGroup

DISTANCES = [
    (1, _("1 公里内")),
    (3, _("3 公里内")),
    (5, _("5 公里内")),
    (10, _("10 公里内")),
    (20, _("20 公里内")),
    (50, _("50 公里内")),
]
DEFAULT_DISTANCE = 5


def _blank(choices, label=None) -> list:
    return [("", label or _("不限")), *choices]


def _number_text(label, *, help_text: str = "") -> forms.CharField:
    """Numbers as text: the service parses them and says in Chinese what is wrong."""
    return forms.CharField(
        label=label,
        max_length=30,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )


def _address_choices(user) -> list[tuple[str, str]]:
    if not (user and user.is_authenticated and user.is_resident):
        return []
    from services.models import Address

    return [
        (str(a.pk), f"{a.label}（{a.masked_detail}）")
        for a in Address.objects.filter(owner=user).order_by("-is_default", "created_at", "id")
    ]


# --- The public -----------------------------------------------------------------------------


class MapFilterForm(forms.Form):
    """The map's filters: what for, how far, and from where (a saved address of the signed-in
    resident, or a district's seat)."""

    target_group = forms.ChoiceField(label=_("服务对象"), required=False)
    distance = forms.TypedChoiceField(
        label=_("距离"), coerce=int, required=False, empty_value=DEFAULT_DISTANCE
    )
    address = forms.ChoiceField(label=_("从我的常用地址出发"), required=False)
    division = forms.ChoiceField(label=_("或从所在区出发"), required=False)

    def __init__(self, *args, user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target_group"].choices = _blank(TargetGroup.choices, _("全部"))
        self.fields["distance"].choices = DISTANCES
        addresses = _address_choices(user)
        if addresses:
            self.fields["address"].choices = _blank(addresses, _("不使用"))
        else:
            del self.fields["address"]
        self.fields["division"].choices = _blank(division_choices(), _("不指定"))
        self.fields["distance"].initial = DEFAULT_DISTANCE


class CatalogueFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=_("年度"), coerce=int, required=False, empty_value=None)
    division = forms.ChoiceField(label=_("区划"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        years = [(y, str(y)) for y in range(this_year + 1, this_year - 4, -1)]
        self.fields["year"].choices = _blank(years, _("全部年度"))
        self.fields["division"].choices = _blank(division_choices(), _("全市"))


# --- Organisations --------------------------------------------------------------------------


class WorkerForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    level = forms.ChoiceField(label=_("职业资格等级"), choices=SocialWorker.Level.choices)
    certificate_number = forms.CharField(label=_("证书编号"), max_length=40)
    certified_on = forms.CharField(
        label=_("取得资格日期"), max_length=10, widget=DateInput(format="%Y-%m-%d")
    )

    def service_data(self) -> dict:
        return dict(self.cleaned_data)


class WorkerEditForm(WorkerForm):
    active = forms.BooleanField(label=_("在岗"), required=False)


class ProjectForm(forms.Form):
    title = forms.CharField(label=_("项目名称"), max_length=100)
    description = forms.CharField(
        label=_("项目介绍"),
        max_length=3000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    target_group = forms.ChoiceField(label=_("服务对象"), choices=TargetGroup.choices)
    division = forms.ChoiceField(label=_("服务区划"))
    address = forms.CharField(label=_("服务站点"), max_length=200)
    latitude = _number_text(_("纬度（GCJ-02）"), help_text=_("例如 30.642000"))
    longitude = _number_text(_("经度（GCJ-02）"), help_text=_("例如 104.043200"))
    service_radius_km = forms.CharField(
        label=_("服务半径（公里）"),
        max_length=3,
        help_text=_("1 到 50 公里"),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    starts_on = forms.CharField(label=_("开始日期"), max_length=10, widget=DateInput())
    ends_on = forms.CharField(label=_("结束日期"), max_length=10, widget=DateInput())
    funding = forms.ChoiceField(label=_("资金来源"), choices=SocialWorkProject.Funding.choices)
    catalogue_item = forms.ChoiceField(
        label=_("政府购买服务目录项"),
        required=False,
        help_text=_("资金来源为政府购买服务时必选，须为已发布且覆盖服务区划、年度的目录项。"),
    )
    capacity = forms.CharField(
        label=_("可同时服务个案数"),
        max_length=3,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from socialorgs.selectors.socialwork import catalogue_options

        self.fields["division"].choices = division_choices()
        self.fields["catalogue_item"].choices = _blank(
            [
                (str(item.pk), f"{item.year} {item.division.name} {item.code} {item.name}")
                for item in catalogue_options()
            ],
            _("不适用"),
        )

    @staticmethod
    def initial_of(project: SocialWorkProject) -> dict:
        return {
            "title": project.title,
            "description": project.description,
            "target_group": project.target_group,
            "division": project.division_id,
            "address": project.address,
            "latitude": str(project.latitude),
            "longitude": str(project.longitude),
            "service_radius_km": project.service_radius_km,
            "starts_on": project.starts_on.isoformat(),
            "ends_on": project.ends_on.isoformat(),
            "funding": project.funding,
            "catalogue_item": str(project.catalogue_item_id or ""),
            "capacity": project.capacity,
        }


class ProjectStatusForm(forms.Form):
    action = forms.ChoiceField(choices=[("publish", _("发布")), ("close", _("结项"))])
    reason = forms.CharField(label=_("说明"), max_length=300, required=False)


class OrgRequestActionForm(forms.Form):
    action = forms.ChoiceField(choices=[("decline", _("婉拒")), ("complete", _("服务完成"))])
    reason = forms.CharField(label=_("婉拒原因"), max_length=300, required=False)
    note = forms.CharField(label=_("服务小结（选填）"), max_length=300, required=False)


# --- Residents --------------------------------------------------------------------------------


class RequestForm(forms.Form):
    target_group = forms.ChoiceField(label=_("服务对象"), choices=TargetGroup.choices)
    saved_address = forms.ChoiceField(label=_("使用常用地址"), required=False)
    division = forms.ChoiceField(label=_("所在区"), required=False)
    address = forms.CharField(label=_("详细地址"), max_length=200, required=False)
    latitude = _number_text(_("纬度（GCJ-02）"))
    longitude = _number_text(_("经度（GCJ-02）"))
    description = forms.CharField(
        label=_("需求描述"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("请说明需要哪方面的帮助。只有确认为您服务的机构能看到完整内容。"),
    )

    field_order = [
        "target_group",
        "saved_address",
        "division",
        "address",
        "latitude",
        "longitude",
        "description",
    ]

    def __init__(self, *args, user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        addresses = _address_choices(user)
        if addresses:
            self.fields["saved_address"].choices = _blank(addresses, _("不使用，填写下面的地址"))
        else:
            del self.fields["saved_address"]
        self.fields["division"].choices = _blank(division_choices(), _("请选择"))
        for name in ("latitude", "longitude"):
            self.fields[name].required = False
        self.fields["latitude"].help_text = _("使用常用地址时可不填")

    def service_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


class RequestActionForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("accept", _("接受")), ("decline", _("婉拒")), ("cancel", _("取消申请"))]
    )
    reason = forms.CharField(label=_("原因（选填）"), max_length=300, required=False)


class SocialWorkReviewForm(ReviewForm):
    """ratings' review form with the social-work dimensions, without photos."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, domain=SOCIAL_WORK, **kwargs)
        del self.fields["photos"]

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {
            "overall": data["overall"],
            "dimensions": {code: data[f"dim_{code}"] for code in self.dimension_codes},
            "text": data["text"],
        }


# --- Officials --------------------------------------------------------------------------------


class CatalogueItemForm(forms.Form):
    code = forms.CharField(label=_("目录编码"), max_length=20)
    name = forms.CharField(label=_("服务项目"), max_length=100)
    category = forms.CharField(label=_("类别"), max_length=50)
    description = forms.CharField(
        label=_("服务内容及要求"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    target_group = forms.ChoiceField(label=_("服务对象"), required=False)
    division = forms.ChoiceField(label=_("适用区划"))
    year = forms.CharField(
        label=_("目录年度"), max_length=4, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )

    def __init__(self, *args, official=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target_group"].choices = _blank(TargetGroup.choices)
        from portal.accounts.models import Division, division_prefix

        if official is not None and official.jurisdiction_id:
            divisions = Division.objects.filter(
                code__startswith=division_prefix(official.jurisdiction_id)
            ).order_by("code")
            self.fields["division"].choices = [(d.code, d.name) for d in divisions]
        self.initial.setdefault("year", timezone.localdate().year)


class CatalogueStatusForm(forms.Form):
    action = forms.ChoiceField(choices=[("publish", _("发布")), ("withdraw", _("撤回"))])


class ReviewModerationForm(forms.Form):
    """An official's decision on a held review: 发布 (the reason optional) or 屏蔽 (the
    reason required, checked by the service so the rule lives in one place)."""

    action = forms.ChoiceField(choices=[("publish", _("发布")), ("hide", _("屏蔽"))])
    reason = forms.CharField(label=_("处理原因"), max_length=300, required=False)


class ReviewReportForm(forms.Form):
    reason = forms.CharField(
        label=_("举报原因"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )
