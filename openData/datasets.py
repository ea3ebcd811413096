"""The built-in datasets: catalogue metadata and how each is built from the live tables.

Everything is read through the other apps' public selectors (DESIGN.md: openData imports no
app's internals). Statistics are aggregated here and small cells suppressed; row-level tables
hold organisations only, except the conditional complaint cases, which are checked for
k-anonymity on their quasi-identifiers.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from openData.builders import Builder, Extra, Field, Resource, register
from providers import selectors as providers
from ratings import selectors as ratings
from services import selectors as services
from socialorgs.selectors import opendata as socialorgs
from volunteers import selectors as volunteers

from matching import selectors as matching  # isort: skip

K_THRESHOLD = 5

_GROUP = Field("month", "string", "月份", "Month", "YYYY-MM")
_DISTRICT = Field("district", "string", "区县代码", "District code", "GB/T 2260")
_DOMAIN = Field("domain", "string", "服务领域", "Domain")

# --- Row-level tables about organisations -----------------------------------------------------

PROVIDERS = Resource(
    name="providers",
    title="服务机构",
    title_en="Service providers",
    fields=[
        Field("id", "string", "机构标识", "Provider id", "UUID"),
        Field("name", "string", "机构名称", "Name"),
        Field("credit_code", "string", "统一社会信用代码", "Unified social credit code"),
        Field("domains", "string", "服务领域", "Domains", "以分号分隔"),
        Field("division_code", "string", "所在区划代码", "Division code"),
        Field("description", "string", "机构简介", "Description"),
        Field("contact_phone", "string", "机构联系电话", "Public phone"),
        Field("official_grade", "string", "官方评定等级", "Official grade"),
        Field("official_grade_until", "date", "等级有效期至", "Grade valid until"),
        Field("credit_grade", "string", "信用等级", "Credit grade"),
        Field("quality_score", "number", "居民评分", "Resident rating"),
        Field("review_count", "integer", "评价数", "Reviews"),
        Field("approved_on", "date", "登记通过日期", "Approved on"),
    ],
    rows=lambda: providers.open_provider_rows(),
    primary_key=["id"],
)

BRANCHES = Resource(
    name="branches",
    title="服务网点",
    title_en="Service locations",
    fields=[
        Field("id", "integer", "网点标识", "Location id"),
        Field("provider_id", "string", "机构标识", "Provider id"),
        Field("name", "string", "网点名称", "Name"),
        Field("address", "string", "服务地址", "Address"),
        Field("division_code", "string", "所在区划代码", "Division code"),
        Field("latitude", "number", "纬度（GCJ-02）", "Latitude (GCJ-02)"),
        Field("longitude", "number", "经度（GCJ-02）", "Longitude (GCJ-02)"),
        Field("opening_hours", "string", "营业时间", "Opening hours"),
        Field("beds", "integer", "床位数", "Beds"),
        Field("places", "integer", "托位数", "Childcare places"),
        Field("staff_capacity", "integer", "服务人员数", "Staff"),
        Field("accessibility", "string", "无障碍设施", "Accessibility", "以分号分隔"),
    ],
    rows=lambda: providers.open_branch_rows(),
    primary_key=["id"],
)

LISTINGS = Resource(
    name="listings",
    title="服务项目与价格",
    title_en="Services and prices",
    fields=[
        Field("id", "integer", "服务标识", "Service id"),
        Field("provider_id", "string", "机构标识", "Provider id"),
        Field("branch_id", "integer", "网点标识", "Location id"),
        Field("category_code", "string", "服务类别代码", "Category code"),
        Field("category_name", "string", "服务类别", "Category"),
        _DOMAIN,
        _DISTRICT,
        Field("title", "string", "服务名称", "Title"),
        Field("description", "string", "服务内容", "Description"),
        Field("price_fen", "integer", "价格（分）", "Price (fen)"),
        Field("price_unit", "string", "计价单位", "Price unit"),
        Field("delivery_mode", "string", "服务方式", "Delivery mode"),
        Field("duration_minutes", "integer", "服务时长（分钟）", "Duration (minutes)"),
        Field("subsidies", "string", "适用补贴", "Subsidies", "以分号分隔"),
        Field("quality_score", "number", "居民评分", "Resident rating"),
        Field("review_count", "integer", "评价数", "Reviews"),
    ],
    rows=lambda: services.open_listing_rows(),
    primary_key=["id"],
)

GRADES = Resource(
    name="grades",
    title="等级评定",
    title_en="Official grades",
    fields=[
        Field("id", "integer", "评定标识", "Grade id"),
        Field("provider_id", "string", "机构标识", "Provider id"),
        Field("provider_name", "string", "机构名称", "Provider"),
        _DOMAIN,
        Field("grade", "string", "等级", "Grade"),
        Field("awarded_on", "date", "评定日期", "Awarded on"),
        Field("valid_until", "date", "有效期至", "Valid until"),
    ],
    rows=lambda: ratings.open_grade_rows(),
    primary_key=["id"],
)

INSPECTIONS = Resource(
    name="inspections",
    title="检查结果",
    title_en="Inspection results",
    fields=[
        Field("id", "integer", "检查标识", "Inspection id"),
        Field("provider_id", "string", "机构标识", "Provider id"),
        Field("provider_name", "string", "机构名称", "Provider"),
        Field("kind", "string", "检查类型", "Kind"),
        Field("completed_on", "date", "完成日期", "Completed on"),
        Field("score", "number", "得分", "Score"),
        Field("result", "string", "结论", "Result"),
    ],
    rows=lambda: ratings.open_inspection_rows(),
    primary_key=["id"],
)

CREDIT_LISTS = Resource(
    name="credit_lists",
    title="红黑名单",
    title_en="Credit red and black lists",
    fields=[
        Field("id", "integer", "名单记录标识", "Entry id"),
        Field("provider_id", "string", "机构标识", "Provider id"),
        Field("provider_name", "string", "机构名称", "Provider"),
        Field("credit_code", "string", "统一社会信用代码", "Unified social credit code"),
        Field("list_kind", "string", "名单类型", "List", "red 红名单 / black 黑名单"),
        Field("reason", "string", "列入事由", "Reason"),
        Field("listed_on", "date", "列入日期", "Listed on"),
        Field("until", "date", "移出日期", "Until"),
    ],
    rows=lambda: ratings.open_credit_list_rows(),
    primary_key=["id"],
)

# --- Aggregated statistics --------------------------------------------------------------------

SUPPLY_DEMAND = Resource(
    name="supply_demand",
    title="供需统计（区县 × 领域 × 月）",
    title_en="Supply and demand by district, domain and month",
    fields=[
        _GROUP,
        _DISTRICT,
        _DOMAIN,
        Field("needs", "integer", "需求数", "Needs posted"),
        Field("matched", "integer", "已匹配", "Matched"),
        Field("unmatched", "integer", "未匹配", "Unmatched"),
        Field("supply_slots", "integer", "可供名额", "Slots offered"),
    ],
    rows=lambda: matching.open_supply_demand_rows(),
    primary_key=["month", "district", "domain"],
    count_fields=["needs", "matched", "unmatched"],
)

COMPLAINT_STATS = Resource(
    name="complaint_stats",
    title="投诉统计（类别 × 结果 × 月）",
    title_en="Complaints by category, outcome and month",
    fields=[
        _GROUP,
        _DISTRICT,
        Field("category", "string", "投诉类别", "Category"),
        Field("outcome", "string", "办理结果", "Outcome"),
        Field("complaints", "integer", "投诉件数", "Complaints"),
    ],
    rows=lambda: ratings.open_complaint_stat_rows(),
    primary_key=["month", "district", "category", "outcome"],
    count_fields=["complaints"],
)

BOOKING_VOLUMES = Resource(
    name="booking_volumes",
    title="预约量统计（区县 × 领域 × 月）",
    title_en="Bookings by district, domain and month",
    fields=[
        _GROUP,
        _DISTRICT,
        _DOMAIN,
        Field("bookings", "integer", "预约数", "Bookings"),
        Field("completed", "integer", "已完成", "Completed"),
        Field("cancelled", "integer", "已取消", "Cancelled"),
    ],
    rows=lambda: services.open_booking_volume_rows(),
    primary_key=["month", "district", "domain"],
    count_fields=["bookings", "completed", "cancelled"],
)

VOLUNTEER_SERVICE = Resource(
    name="volunteer_service",
    title="志愿服务统计（区县 × 领域 × 月）",
    title_en="Volunteer service by district, domain and month",
    fields=[
        _GROUP,
        _DISTRICT,
        Field(
            "domain",
            "string",
            "服务领域",
            "Domain",
            "elderly 助老；disability 助残；childcare 托育；community 社区服务；"
            "civilisation 文明实践；education 助学；environment 生态环保；emergency 应急救援",
        ),
        Field("activities", "integer", "开展活动数", "Activities held"),
        Field("volunteers", "integer", "参与志愿者数", "Volunteers with confirmed hours"),
        Field("hours", "number", "确认服务时长（小时）", "Confirmed hours", "保留一位小数"),
    ],
    rows=lambda: volunteers.open_volunteer_service_rows(),
    primary_key=["month", "district", "domain"],
    # Fewer than K volunteers could single them out; their hours would give the count back.
    count_fields=["volunteers"],
    dependent_fields=["hours"],
)

# --- Social organisations (socialorgs.selectors.opendata) -------------------------------------

_CREDIT_CODE = Field("credit_code", "string", "统一社会信用代码", "Unified social credit code")

SOCIALORGS = Resource(
    name="socialorgs",
    title="社会组织登记信息",
    title_en="Registered social organisations",
    fields=[
        _CREDIT_CODE,
        Field("name", "string", "组织名称", "Name"),
        Field(
            "kind",
            "string",
            "组织类型",
            "Kind",
            "association 社会团体；social_service 民办非企业单位（社会服务机构）；"
            "foundation 基金会",
        ),
        Field("domain", "string", "业务领域", "Domain"),
        Field("division_code", "string", "住所所在区划代码", "Division code"),
        Field("authority", "string", "登记管理机关", "Registration authority"),
        Field("founded_on", "date", "成立登记日期", "Registered on"),
        Field(
            "status", "string", "登记状态", "Status", "normal 正常；revoked 撤销；deregistered 注销"
        ),
        Field("status_changed_on", "date", "状态变更日期", "Status changed on"),
        Field("is_charity", "boolean", "慈善组织", "Charity"),
        Field("public_fundraising", "boolean", "公开募捐资格", "Public fundraising"),
        Field("evaluation_grade", "integer", "评估等级（A）", "Evaluation grade (A)", "5 = 5A"),
        Field("grade_valid_until", "date", "等级有效期至", "Grade valid until"),
        Field("credit_grade", "string", "信用等级", "Credit grade"),
        Field(
            "standing",
            "string",
            "信用状态",
            "Credit standing",
            "normal 正常；abnormal 活动异常名录；serious 严重违法失信名单",
        ),
        Field("last_report_year", "integer", "最近审核年报年度", "Last reviewed report year"),
        Field(
            "last_report_result",
            "string",
            "年报审核结论",
            "Annual report result",
            "qualified 合格；basically 基本合格；unqualified 不合格",
        ),
    ],
    rows=lambda: socialorgs.open_registry_rows(),
    primary_key=["credit_code"],
)

SOCIALORG_LISTS = Resource(
    name="socialorg_lists",
    title="社会组织活动异常名录和严重违法失信名单",
    title_en="Social organisations on the abnormal-activity and serious-dishonesty lists",
    fields=[
        Field("id", "integer", "名单记录标识", "Entry id"),
        _CREDIT_CODE,
        Field("organisation_name", "string", "组织名称", "Organisation"),
        Field("list", "string", "名单", "List", "abnormal 活动异常名录；serious 严重违法失信名单"),
        Field("reason", "string", "列入原因", "Reason"),
        Field("basis", "string", "依据", "Basis"),
        Field("starts_on", "date", "列入日期", "Listed on"),
        Field("ends_on", "date", "移出日期", "Until"),
        Field("removed_at__date", "date", "提前移出日期", "Removed on"),
    ],
    rows=lambda: socialorgs.open_org_list_rows(),
    primary_key=["id"],
)

ILLEGAL_ORGS = Resource(
    name="illegal_socialorgs",
    title="非法社会组织曝光名单",
    title_en="Illegal social organisations exposed",
    fields=[
        Field("id", "integer", "记录标识", "Entry id"),
        Field("name", "string", "名称", "Name"),
        Field("division_code", "string", "活动区划代码", "Division code"),
        Field("basis", "string", "认定依据", "Basis"),
        Field("exposed_on", "date", "曝光日期", "Exposed on"),
        Field("status", "string", "状态", "Status", "exposed 已曝光；banned 已取缔"),
    ],
    rows=lambda: socialorgs.open_illegal_org_rows(),
    primary_key=["id"],
)

SOCIALORG_GRADES = Resource(
    name="socialorg_grades",
    title="社会组织评估等级",
    title_en="Social organisation evaluation grades",
    fields=[
        _CREDIT_CODE,
        Field("name", "string", "组织名称", "Name"),
        Field("grade", "string", "评估等级", "Grade", "5A … 1A"),
        Field("total", "number", "总分", "Total", "满分 1000"),
        Field("basic_conditions", "number", "基础条件", "Basic conditions"),
        Field("governance", "number", "内部治理", "Internal governance"),
        Field("performance", "number", "工作绩效", "Performance"),
        Field("social_evaluation", "number", "社会评价", "Social evaluation"),
        Field("awarded_on", "date", "评定日期", "Awarded on"),
        Field("valid_until", "date", "有效期至", "Valid until"),
        Field(
            "state",
            "string",
            "状态",
            "State",
            "current 有效；superseded 已被新评估取代；expired 已过期；revoked 已撤销",
        ),
    ],
    rows=lambda: socialorgs.open_grade_rows(),
    primary_key=["credit_code", "awarded_on", "grade"],
)

CHARITY_PROJECTS = Resource(
    name="charity_projects",
    title="慈善募捐项目及善款收支",
    title_en="Charity fundraising projects and their totals",
    fields=[
        Field("filing_number", "string", "备案编号", "Filing number"),
        _CREDIT_CODE,
        Field("organisation_name", "string", "慈善组织", "Charity"),
        Field("title", "string", "项目名称", "Project"),
        Field("beneficiary_group", "string", "受益人群", "Beneficiaries"),
        Field("target_yuan", "number", "募捐目标（元）", "Target (yuan)"),
        Field("starts_on", "date", "开始日期", "Starts on"),
        Field("ends_on", "date", "结束日期", "Ends on"),
        Field("status", "string", "状态", "Status", "open 募捐中；closed 已结束"),
        Field("donated_yuan", "number", "累计捐赠（元）", "Donated (yuan)"),
        Field("disbursed_yuan", "number", "累计拨付（元）", "Disbursed (yuan)"),
        Field("entries_count", "integer", "流向记录数", "Ledger entries"),
        Field(
            "chain_head",
            "string",
            "哈希链末条记录哈希",
            "Hash of the chain's newest entry",
            "SHA-256；可与项目公示页的验证结果比对",
        ),
    ],
    rows=lambda: socialorgs.open_charity_project_rows(),
    primary_key=["filing_number"],
)

CHARITY_FLOWS = Resource(
    name="charity_flows",
    title="善款收支月度汇总（项目 × 月 × 收支）",
    title_en="Charity donations and disbursements by project and month",
    fields=[
        Field("filing_number", "string", "备案编号", "Filing number"),
        _GROUP,
        Field("kind", "string", "收支类型", "Kind", "donation 捐赠；disbursement 拨付"),
        Field("entries", "integer", "笔数", "Entries"),
        Field("amount_yuan", "number", "金额（元）", "Amount (yuan)"),
    ],
    rows=lambda: socialorgs.open_charity_flow_rows(),
    primary_key=["filing_number", "month", "kind"],
    # One donation's or one beneficiary's amount would stand out: a count under K is
    # suppressed with its sum.
    count_fields=["entries"],
    dependent_fields=["amount_yuan"],
)

# --- Row-level, about people: conditional, k-anonymous ----------------------------------------

COMPLAINT_CASE_QI = ["month", "district", "domain", "category"]

COMPLAINT_CASES = Resource(
    name="complaint_cases",
    title="投诉办理明细（去标识化）",
    title_en="Complaint cases (de-identified)",
    fields=[
        _GROUP,
        _DISTRICT,
        _DOMAIN,
        Field("category", "string", "投诉类别", "Category"),
        Field("outcome", "string", "办理结果", "Outcome"),
        Field("days_to_close", "integer", "办结用时（天）", "Days to close"),
    ],
    rows=lambda: ratings.open_complaint_case_rows(),
    quasi_identifiers=COMPLAINT_CASE_QI,
)


def _hsds_extras() -> list[Extra]:
    from openData import hsds

    return [
        Extra(
            name="hsds_services.json",
            format="hsds",
            title="Open Referral HSDS 3.0 services",
            write=hsds.write_services,
        ),
        Extra(
            name="hsds_organizations.json",
            format="hsds",
            title="Open Referral HSDS 3.0 organizations",
            write=hsds.write_organizations,
        ),
    ]


register(
    Builder(
        key="provider_directory",
        resources=lambda: [PROVIDERS, BRANCHES, LISTINGS],
        extras=_hsds_extras,
    )
)
register(Builder(key="listings_prices", resources=lambda: [LISTINGS]))
register(Builder(key="quality", resources=lambda: [GRADES, INSPECTIONS]))
register(Builder(key="credit_lists", resources=lambda: [CREDIT_LISTS]))
register(Builder(key="supply_demand", resources=lambda: [SUPPLY_DEMAND]))
register(Builder(key="complaint_stats", resources=lambda: [COMPLAINT_STATS]))
register(Builder(key="booking_volumes", resources=lambda: [BOOKING_VOLUMES]))
register(Builder(key="complaint_cases", resources=lambda: [COMPLAINT_CASES]))
register(Builder(key="volunteer_service", resources=lambda: [VOLUNTEER_SERVICE]))
register(
    Builder(key="socialorg_registry", resources=lambda: [SOCIALORGS, SOCIALORG_LISTS, ILLEGAL_ORGS])
)
register(Builder(key="socialorg_grades", resources=lambda: [SOCIALORG_GRADES]))
register(Builder(key="charity_flows", resources=lambda: [CHARITY_PROJECTS, CHARITY_FLOWS]))


def person_names() -> set[str]:
    """Every person name the portal holds, for the personal-data gate's name scan."""
    from portal.accounts import selectors as accounts

    return (
        accounts.person_names()
        | providers.person_names()
        | services.person_names()
        | ratings.person_names()
        | matching.person_names()
        | volunteers.person_names()
        | socialorgs.person_names()
    )


_CIVIL = "civil_affairs"
_HEALTH = "health"
_COMMERCE = "commerce"

# Catalogue entries (开放目录). catalogue_sync() creates missing ones; officials edit the rest.
CATALOGUE = [
    {
        "slug": "provider-directory",
        "builder": "provider_directory",
        "title": _("社会服务机构名录"),
        "title_en": "Directory of social service providers",
        "description": _(
            "经审核登记的养老、托育、家政、医疗健康服务机构及其服务网点、服务项目的公开信息；"
            "同时以 Open Referral HSDS 3.0 格式提供。"
        ),
        "description_en": (
            "Public information on approved eldercare, childcare, domestic and health service "
            "providers, their locations and services; also as Open Referral HSDS 3.0."
        ),
        "publisher": _CIVIL,
        "themes": ["SOCI", "GOVE"],
        "keywords": ["养老", "托育", "家政", "医疗健康", "服务机构", "HSDS"],
        "periodicity": "DAILY",
        "licence": "CC-BY-4.0",
        "access": "open",
        "legal_basis": _("《政府信息公开条例》第二十条；发改高技〔2019〕1903号"),
    },
    {
        "slug": "listings-prices",
        "builder": "listings_prices",
        "title": _("服务项目与价格"),
        "title_en": "Services and prices",
        "description": _("各机构公开发布的服务项目、计价方式与价格、适用补贴和居民评分。"),
        "description_en": (
            "Services published by providers: pricing, applicable subsidies and resident ratings."
        ),
        "publisher": _COMMERCE,
        "themes": ["SOCI", "ECON"],
        "keywords": ["价格", "服务项目", "补贴"],
        "periodicity": "DAILY",
        "licence": "CC-BY-4.0",
        "access": "open",
        "legal_basis": _("《价格法》明码标价要求；发改高技〔2019〕1903号"),
    },
    {
        "slug": "quality-grades",
        "builder": "quality",
        "title": _("服务质量等级与检查结果"),
        "title_en": "Quality grades and inspection results",
        "description": _("监管部门对服务机构的等级评定（有效期内）和已完成检查的结论。"),
        "description_en": "Official grades in force and results of completed inspections.",
        "publisher": _CIVIL,
        "themes": ["SOCI", "GOVE"],
        "keywords": ["等级评定", "监督检查", "服务质量"],
        "periodicity": "WEEKLY",
        "licence": "CC-BY-4.0",
        "access": "open",
        "legal_basis": _("《政府信息公开条例》第二十条第（六）项"),
    },
    {
        "slug": "credit-lists",
        "builder": "credit_lists",
        "title": _("信用红黑名单"),
        "title_en": "Credit red and black lists",
        "description": _("列入守信激励（红名单）和失信惩戒（黑名单）的服务机构，仅含机构信息。"),
        "description_en": "Organisations on the credit red and black lists (organisations only).",
        "publisher": _CIVIL,
        "themes": ["GOVE", "ECON"],
        "keywords": ["信用", "红名单", "黑名单"],
        "periodicity": "DAILY",
        "licence": "CC-BY-4.0",
        "access": "open",
        "legal_basis": _("《社会信用体系建设规划纲要》；发改高技〔2019〕1903号"),
    },
    {
        "slug": "supply-demand",
        "builder": "supply_demand",
        "title": _("服务供需统计"),
        "title_en": "Supply and demand statistics",
        "description": _("按区县、服务领域和月份汇总的居民需求与服务供给；不足 5 的单元格不公布。"),
        "description_en": (
            "Needs and supply by district, domain and month; cells below 5 are suppressed."
        ),
        "publisher": _CIVIL,
        "themes": ["SOCI", "REGI"],
        "keywords": ["供需", "统计", "需求"],
        "periodicity": "MONTHLY",
        "licence": "CC-BY-4.0",
        "access": "open",
        "legal_basis": _("发改高技〔2019〕1903号 “推动社会服务数据开放共享”"),
    },
    {
        "slug": "complaint-stats",
        "builder": "complaint_stats",
        "title": _("投诉统计"),
        "title_en": "Complaint statistics",
        "description": _("按类别、办理结果、区县和月份汇总的投诉件数；不足 5 的单元格不公布。"),
        "description_en": (
            "Complaints by category, outcome, district and month; cells below 5 are suppressed."
        ),
        "publisher": _CIVIL,
        "themes": ["GOVE", "SOCI"],
        "keywords": ["投诉", "统计"],
        "periodicity": "MONTHLY",
        "licence": "CC-BY-4.0",
        "access": "open",
        "legal_basis": _("《政府信息公开条例》第二十条"),
    },
    {
        "slug": "booking-volumes",
        "builder": "booking_volumes",
        "title": _("服务预约量统计"),
        "title_en": "Booking volumes",
        "description": _("按区县、服务领域和月份汇总的预约、完成和取消数；不足 5 的单元格不公布。"),
        "description_en": (
            "Bookings, completions and cancellations by district, domain and month; cells "
            "below 5 are suppressed."
        ),
        "publisher": _COMMERCE,
        "themes": ["SOCI", "ECON"],
        "keywords": ["预约", "统计"],
        "periodicity": "MONTHLY",
        "licence": "CC-BY-4.0",
        "access": "open",
        "legal_basis": _("发改高技〔2019〕1903号"),
    },
    {
        "slug": "volunteer-service",
        "builder": "volunteer_service",
        "title": _("志愿服务统计"),
        "title_en": "Volunteer service statistics",
        "description": _(
            "按区县、服务领域和月份汇总的志愿活动开展数、参与志愿者数和经组织确认的服务时长；"
            "参与志愿者不足 5 人的单元格不公布（其时长一并不公布），不含任何个人信息。"
        ),
        "description_en": (
            "Volunteer activities held, volunteers taking part and hours confirmed by the "
            "organisers, by district, domain and month; cells with fewer than 5 volunteers are "
            "suppressed (and their hours with them). No personal data."
        ),
        "publisher": _CIVIL,
        "themes": ["SOCI", "REGI"],
        "keywords": ["志愿服务", "志愿者", "服务时长", "统计"],
        "periodicity": "MONTHLY",
        "licence": "CC-BY-4.0",
        "access": "open",
        "legal_basis": _(
            "《志愿服务条例》；民政部《“互联网+社会组织、社会工作、志愿服务”行动方案》"
        ),
    },
    {
        "slug": "socialorg-registry",
        "builder": "socialorg_registry",
        "title": _("社会组织登记信息"),
        "title_en": "Social organisation registry",
        "description": _(
            "本市登记的社会团体、民办非企业单位（社会服务机构）和基金会：统一社会信用代码、名称、"
            "类型、业务领域、登记管理机关、成立日期、登记状态、慈善组织认定和公开募捐资格、"
            "评估等级、信用等级和最近一次年报审核结论；另附活动异常名录、严重违法失信名单和"
            "非法社会组织曝光名单。不含法定代表人等个人信息。"
        ),
        "description_en": (
            "Registered social associations, social service organisations and foundations: "
            "credit code, name, kind, domain, authority, dates, status, charity recognition, "
            "evaluation and credit grades and the latest annual-report result; with the "
            "abnormal-activity and serious-dishonesty lists and the exposed illegal "
            "organisations. No personal data (no legal representative)."
        ),
        "publisher": _CIVIL,
        "themes": ["GOVE", "SOCI"],
        "keywords": ["社会组织", "法人库", "一网通查", "信用"],
        "periodicity": "DAILY",
        "licence": "CC-BY-4.0",
        "access": "open",
        "legal_basis": _(
            "《社会组织信用信息管理办法》；民政部《“互联网+社会组织、社会工作、志愿服务”行动方案》"
        ),
    },
    {
        "slug": "socialorg-grades",
        "builder": "socialorg_grades",
        "title": _("社会组织评估等级"),
        "title_en": "Social organisation evaluation grades",
        "description": _(
            "社会组织评估（5A–1A）的结果：四个方面的得分、总分、等级、评定日期、有效期（5 年）"
            "和当前状态（有效、被新评估取代、已过期、已撤销）。"
        ),
        "description_en": (
            "Results of the social organisation evaluation (5A–1A): the four area scores, "
            "total, grade, award date, validity (5 years) and state."
        ),
        "publisher": _CIVIL,
        "themes": ["GOVE", "SOCI"],
        "keywords": ["社会组织", "评估", "等级"],
        "periodicity": "MONTHLY",
        "licence": "CC-BY-4.0",
        "access": "open",
        "legal_basis": _("《社会组织评估管理办法》"),
    },
    {
        "slug": "charity-flows",
        "builder": "charity_flows",
        "title": _("慈善募捐项目善款收支"),
        "title_en": "Charity fundraising flows",
        "description": _(
            "公开募捐项目的备案信息、累计捐赠与拨付、哈希链末条记录哈希（可用于核验公示流向未被"
            "改写），以及按项目、月份和收支类型汇总的笔数与金额；不足 5 笔的单元格不公布金额。"
            "不含捐赠人、受益人等个人信息。"
        ),
        "description_en": (
            "Filed public fundraising projects with their totals and the hash of their "
            "ledger chain's newest entry (to check that the published flow was not rewritten), "
            "and entries and amounts by project, month and kind; cells of fewer than 5 "
            "entries are suppressed. No donor or beneficiary."
        ),
        "publisher": _CIVIL,
        "themes": ["SOCI", "ECON"],
        "keywords": ["慈善", "募捐", "善款流向", "信息公开"],
        "periodicity": "DAILY",
        "licence": "CC-BY-4.0",
        "access": "open",
        "legal_basis": _("《中华人民共和国慈善法》第七十一条至第七十三条"),
    },
    {
        "slug": "complaint-cases",
        "builder": "complaint_cases",
        "title": _("投诉办理明细（去标识化）"),
        "title_en": "Complaint cases (de-identified)",
        "description": _(
            "已办结投诉的逐件记录：月份、区县、领域、类别、结果和办结用时，不含任何个人信息；"
            "每组准标识符组合至少 5 件（k-匿名）。供研究机构按协议使用。"
        ),
        "description_en": (
            "Closed complaints one per row — month, district, domain, category, outcome, days "
            "to close — with no personal data, k-anonymous (k = 5); for research under a "
            "data-use agreement."
        ),
        "publisher": _CIVIL,
        "themes": ["GOVE", "SOCI"],
        "keywords": ["投诉", "明细", "研究"],
        "periodicity": "MONTHLY",
        "licence": "agreement",
        "access": "conditional",
        "legal_basis": _(
            "《个人信息保护法》第十三条、第七十三条（匿名化）；《数据安全法》第三十八条；"
            "逐件数据存在重识别风险，有条件开放"
        ),
    },
    {
        "slug": "health-records",
        "builder": "",
        "title": _("居民健康档案"),
        "title_en": "Residents' health records",
        "description": _("家庭医生签约居民的健康档案。属于敏感个人信息，不予开放。"),
        "description_en": (
            "Health records of residents with a family doctor: sensitive personal information, "
            "not opened."
        ),
        "publisher": _HEALTH,
        "themes": ["HEAL"],
        "keywords": ["健康档案", "家庭医生"],
        "periodicity": "IRREG",
        "licence": "agreement",
        "access": "closed",
        "legal_basis": _(
            "《个人信息保护法》第二十八条（敏感个人信息）；《基本医疗卫生与健康促进法》第九十二条"
        ),
    },
]
