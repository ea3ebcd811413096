"""Service domains, the department that supervises each, and the licence each requires.

Departments follow the usual split of duties in Chinese cities: 民政 supervises eldercare,
卫健 childcare for under-3s and health, 商务 domestic services, and 教育/文旅/体育 their own.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Domain(models.TextChoices):
    ELDERCARE = "eldercare", _("养老")
    CHILDCARE = "childcare", _("托育")
    DOMESTIC = "domestic", _("家政")
    HEALTH = "health", _("医疗健康")
    EDUCATION = "education", _("教育")
    CULTURE_TOURISM = "culture_tourism", _("文化旅游")
    SPORTS = "sports", _("体育")


class LicenceKind(models.TextChoices):
    ELDERCARE_FILING = "eldercare_filing", _("养老机构备案")
    CHILDCARE_FILING = "childcare_filing", _("托育机构备案")
    MEDICAL_PRACTICE = "medical_practice", _("医疗机构执业许可证")
    FOOD_BUSINESS = "food_business", _("食品经营许可证")
    BUSINESS_LICENCE = "business_licence", _("营业执照")
    PRIVATE_SCHOOL = "private_school", _("民办学校办学许可证")
    SPORTS_BUSINESS = "sports_business", _("高危险性体育项目经营许可证")


# Department (User.Department value) responsible for each domain.
DEPARTMENT_OF_DOMAIN = {
    Domain.ELDERCARE: "civil_affairs",
    Domain.CHILDCARE: "health",
    Domain.DOMESTIC: "commerce",
    Domain.HEALTH: "health",
    Domain.EDUCATION: "education",
    Domain.CULTURE_TOURISM: "culture_tourism",
    Domain.SPORTS: "sports",
}

# The licence without which a provider may not offer services of a domain.
REQUIRED_LICENCE = {
    Domain.ELDERCARE: LicenceKind.ELDERCARE_FILING,
    Domain.CHILDCARE: LicenceKind.CHILDCARE_FILING,
    Domain.DOMESTIC: LicenceKind.BUSINESS_LICENCE,
    Domain.HEALTH: LicenceKind.MEDICAL_PRACTICE,
    Domain.EDUCATION: LicenceKind.PRIVATE_SCHOOL,
    Domain.CULTURE_TOURISM: LicenceKind.BUSINESS_LICENCE,
    Domain.SPORTS: LicenceKind.BUSINESS_LICENCE,
}


def domains_of_department(department: str) -> list[str]:
    return [d for d, dept in DEPARTMENT_OF_DOMAIN.items() if dept == department]
