"""The catalogue: one row per dataset, with its DCAT-AP metadata and its timetable."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import User


class Dataset(models.Model):
    """A dataset the city lists in its open-data catalogue (开放目录).

    Built-in datasets are produced from the live tables by a builder (openData/builders/); a
    不予开放 dataset is listed with its legal basis and has no builder and no releases.
    """

    class Access(models.TextChoices):
        OPEN = "open", _("无条件开放")
        CONDITIONAL = "conditional", _("有条件开放")
        CLOSED = "closed", _("不予开放")

    class Theme(models.TextChoices):
        # Codes of the EU data-theme vocabulary DCAT-AP expects for dcat:theme.
        SOCI = "SOCI", _("人口与社会")
        HEAL = "HEAL", _("卫生健康")
        GOVE = "GOVE", _("政府与公共部门")
        ECON = "ECON", _("经济与金融")
        REGI = "REGI", _("区域与城市")

    class Periodicity(models.TextChoices):
        # Codes of the EU frequency vocabulary (dct:accrualPeriodicity).
        DAILY = "DAILY", _("每日更新")
        WEEKLY = "WEEKLY", _("每周更新")
        MONTHLY = "MONTHLY", _("每月更新")
        QUARTERLY = "QUARTERLY", _("每季度更新")
        ANNUAL = "ANNUAL", _("每年更新")
        IRREG = "IRREG", _("不定期更新")

    class Licence(models.TextChoices):
        CC_BY_4 = "CC-BY-4.0", _("知识共享署名 4.0（CC BY 4.0）")
        CC0 = "CC0-1.0", _("公共领域贡献（CC0 1.0）")
        AGREEMENT = "agreement", _("数据使用协议（有条件开放）")

    slug = models.SlugField(_("标识"), max_length=60, unique=True)
    builder = models.CharField(
        _("生成方式"),
        max_length=40,
        blank=True,
        help_text=_("内置数据集的生成程序；不予开放的数据集为空。"),
    )
    title = models.CharField(_("名称"), max_length=120)
    title_en = models.CharField(_("英文名称"), max_length=160)
    description = models.TextField(_("简介"))
    description_en = models.TextField(_("英文简介"))
    publisher = models.CharField(_("发布部门"), max_length=20, choices=User.Department.choices)
    contact_name = models.CharField(_("联系单位"), max_length=100)
    contact_phone = models.CharField(_("联系电话"), max_length=20)
    themes = ArrayField(
        models.CharField(max_length=4, choices=Theme.choices), verbose_name=_("主题"), default=list
    )
    keywords = ArrayField(models.CharField(max_length=30), verbose_name=_("关键词"), default=list)
    spatial = ArrayField(
        models.CharField(max_length=6), verbose_name=_("空间范围（区划代码）"), default=list
    )
    temporal_start = models.DateField(_("时间范围起"), null=True, blank=True)
    temporal_end = models.DateField(_("时间范围止"), null=True, blank=True)
    periodicity = models.CharField(
        _("更新频率"), max_length=10, choices=Periodicity.choices, default=Periodicity.MONTHLY
    )
    licence = models.CharField(
        _("许可协议"), max_length=20, choices=Licence.choices, default=Licence.CC_BY_4
    )
    access = models.CharField(
        _("开放属性"), max_length=12, choices=Access.choices, default=Access.OPEN
    )
    legal_basis = models.TextField(_("开放依据"))
    release_hour = models.PositiveSmallIntegerField(_("发布时刻（时）"), default=3)
    next_release_at = models.DateTimeField(_("下次发布时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("数据集")
        verbose_name_plural = _("数据集")
        ordering = ["slug"]
        indexes = [
            # The timetable job: datasets whose next release is due.
            models.Index(fields=["next_release_at"], name="opendata_dataset_due_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(access="closed", builder="", next_release_at__isnull=True))
                | (~models.Q(access="closed") & ~models.Q(builder="")),
                name="opendata_dataset_closed_has_no_builder",
                violation_error_message=_("不予开放的数据集不生成数据；其他数据集必须有生成方式。"),
            ),
            models.CheckConstraint(
                condition=models.Q(release_hour__lte=23),
                name="opendata_dataset_release_hour",
                violation_error_message=_("发布时刻应在 0–23 之间。"),
            ),
            models.CheckConstraint(
                condition=models.Q(temporal_start__isnull=True)
                | models.Q(temporal_end__isnull=True)
                | models.Q(temporal_start__lte=models.F("temporal_end")),
                name="opendata_dataset_temporal_order",
                violation_error_message=_("时间范围的起点不能晚于终点。"),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title_local(self) -> str:
        """The title in the page's language (English pages show title_en)."""
        return self.title_en if get_language() == "en" and self.title_en else self.title

    @property
    def description_local(self) -> str:
        return (
            self.description_en
            if get_language() == "en" and self.description_en
            else self.description
        )

    @property
    def is_open(self) -> bool:
        return self.access == self.Access.OPEN

    @property
    def is_conditional(self) -> bool:
        return self.access == self.Access.CONDITIONAL

    @property
    def publishes(self) -> bool:
        return self.access != self.Access.CLOSED
