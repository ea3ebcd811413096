"""Users and their roles, administrative divisions (jurisdictions) and consent records."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.identifiers import E164_MOBILE_RE, normalize_mobile
from portal.privacy import mask_name, mask_phone


def division_prefix(code: str) -> str:
    """The code prefix shared by a division and everything inside it.

    GB/T 2260 codes are hierarchical by digit pairs: 510000 (四川省) contains 51xxxx, 510100
    (成都市) contains 5101xx, 510107 (武侯区) contains 510107 and its townships 510107xxx.
    """
    if len(code) == 6:
        if code.endswith("0000"):
            return code[:2]
        if code.endswith("00"):
            return code[:4]
    return code


def division_ancestors(code: str) -> list[str]:
    """The divisions containing `code`: 510107001 → 510107, 510100, 510000."""
    found = [code[:6]] if len(code) == 9 else []
    county = code[:6]
    for candidate in (county[:4] + "00", county[:2] + "0000"):
        if candidate != county and candidate not in found:
            found.append(candidate)
    return found


def division_contains(outer: str, inner: str) -> bool:
    return bool(outer) and bool(inner) and inner.startswith(division_prefix(outer))


class Division(models.Model):
    """An administrative division (GB/T 2260; townships by their 9-digit GB/T 10114 code)."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("省级")
        CITY = "city", _("地级")
        COUNTY = "county", _("县级")
        TOWNSHIP = "township", _("乡级（街道）")

    code = models.CharField(_("区划代码"), max_length=9, primary_key=True)
    name = models.CharField(_("名称"), max_length=50)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Seat of the government (GCJ-02, approximate): a centroid good enough for "near me".
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6)

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]
        indexes = [
            # Jurisdiction containment is a prefix match on code (LIKE '5101%').
            models.Index(
                fields=["code"], name="division_code_prefix_idx", opclasses=["varchar_pattern_ops"]
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{6}([0-9]{3})?$"),
                name="division_code_format",
                violation_error_message=_("区划代码应为 6 位（县级及以上）或 9 位（乡级）数字。"),
            ),
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90)
                & Q(longitude__gte=-180, longitude__lte=180),
                name="division_coordinates_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def prefix(self) -> str:
        return division_prefix(self.code)

    def contains(self, code: str) -> bool:
        return division_contains(self.code, code)


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, phone: str, password: str | None = None, **extra) -> User:
        user = self.model(phone=normalize_mobile(phone), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, phone: str, password: str | None = None, **extra) -> User:
        extra.setdefault("name", "平台管理员")
        extra.update(role=User.Role.ADMIN, is_staff=True, is_superuser=True)
        return self.create_user(phone, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with a mainland mobile number; exactly one role per account."""

    class Role(models.TextChoices):
        RESIDENT = "resident", _("居民")
        PROVIDER_STAFF = "provider_staff", _("服务机构人员")
        OFFICIAL = "official", _("监管人员")
        ADMIN = "admin", _("平台管理员")

    class Department(models.TextChoices):
        CIVIL_AFFAIRS = "civil_affairs", _("民政")
        HEALTH = "health", _("卫健")
        COMMERCE = "commerce", _("商务")
        EDUCATION = "education", _("教育")
        CULTURE_TOURISM = "culture_tourism", _("文旅")
        SPORTS = "sports", _("体育")

    phone = models.CharField(_("手机号码"), max_length=32, unique=True)
    name = models.CharField(_("姓名"), max_length=50)
    email = models.EmailField(_("电子邮箱"), blank=True)
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.RESIDENT)
    jurisdiction = models.ForeignKey(
        Division,
        verbose_name=_("管辖区域"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="officials",
    )
    department = models.CharField(
        _("所属部门"), max_length=20, choices=Department.choices, blank=True
    )
    elder_mode = models.BooleanField(_("长者模式"), default=False)
    # Channels for notices: in-app always; e-mail when chosen and an address is on file.
    notify_by_email = models.BooleanField(_("通过电子邮件接收通知"), default=True)
    is_active = models.BooleanField(_("有效"), default=True)
    is_staff = models.BooleanField(_("可进入后台"), default=False)
    date_joined = models.DateTimeField(_("注册时间"), default=timezone.now)
    # Closing an account: erased_at is when the person closed it (and their personal data was
    # erased or pseudonymised); retention_purged_at is when the records kept after closing were
    # pseudonymised too, ACCOUNT_RETENTION_DAYS later (set once: the job's idempotency mark).
    erased_at = models.DateTimeField(_("注销时间"), null=True, blank=True)
    retention_purged_at = models.DateTimeField(_("保留期满匿名化时间"), null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "phone"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        ordering = ["date_joined", "id"]
        indexes = [
            # Officials of a department in a jurisdiction (notices, assignment of reviews).
            models.Index(fields=["role", "jurisdiction"], name="user_role_jurisdiction_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(role="official", jurisdiction__isnull=False) & ~Q(department=""))
                | (~Q(role="official") & Q(jurisdiction__isnull=True, department="")),
                name="user_official_has_jurisdiction",
                violation_error_message=_("监管人员必须有管辖区域和所属部门，其他角色不能有。"),
            ),
            models.CheckConstraint(
                condition=Q(phone__regex=E164_MOBILE_RE) | Q(erased_at__isnull=False),
                name="user_phone_e164",
                violation_error_message=_("手机号码格式不正确。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{mask_name(self.name)} {mask_phone(self.phone)}"

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def masked_name(self) -> str:
        return mask_name(self.name)

    @property
    def is_resident(self) -> bool:
        return self.role == self.Role.RESIDENT

    @property
    def is_official(self) -> bool:
        return self.role == self.Role.OFFICIAL

    @property
    def is_provider_staff(self) -> bool:
        return self.role == self.Role.PROVIDER_STAFF

    @property
    def is_platform_admin(self) -> bool:
        return self.role == self.Role.ADMIN

    def covers(self, division_code: str) -> bool:
        """True when this official's jurisdiction contains the division."""
        return self.is_official and division_contains(self.jurisdiction_id or "", division_code)


class Consent(models.Model):
    """A person's consent to a version of a document (the privacy notice), or its withdrawal."""

    class Document(models.TextChoices):
        PRIVACY_NOTICE = "privacy_notice", _("个人信息保护政策")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="consents")
    document = models.CharField(_("文件"), max_length=30, choices=Document.choices)
    version = models.CharField(_("版本"), max_length=20)
    accepted_at = models.DateTimeField(_("同意时间"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("同意记录")
        verbose_name_plural = _("同意记录")
        ordering = ["user", "-accepted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "document", "version"], name="consent_once_per_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.get_document_display()} v{self.version}"
