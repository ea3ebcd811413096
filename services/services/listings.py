"""Creating and editing listings, one at a time or many in one all-or-nothing request."""

from __future__ import annotations

import csv
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from portal.accounts.models import Division
from portal.audit.services import audit_record
from portal.search import index_terms_of_parts
from portal.uploads import IMAGE_KINDS, MB, private_name, sniff
from providers.models import Branch, Provider
from providers.services.access import require_member
from services.errors import ListingError
from services.models import Category, Listing, ListingPhoto
from services.services.visibility import listings_refresh_visibility

LISTING_FIELDS = (
    "branch",
    "category",
    "title",
    "description",
    "price_fen",
    "price_unit",
    "subsidies",
    "delivery_mode",
    "service_divisions",
    "duration_minutes",
    "capacity_per_slot",
    "age_min_months",
    "age_max_months",
    "languages",
)
REQUIRED = ("branch", "category", "title", "price_fen", "price_unit")


CATEGORIES_CSV = Path(__file__).resolve().parents[1] / "data" / "categories.csv"


def categories_load(*, path: Path = CATEGORIES_CSV) -> int:
    """Load (or refresh) the service taxonomy from the CSV the data migration also reads."""
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    with transaction.atomic():
        for row in rows:
            Category.objects.update_or_create(
                code=row["code"],
                defaults={
                    "domain": row["domain"],
                    "name": row["name"],
                    "name_en": row["name_en"],
                    "sort": int(row["sort"]),
                },
            )
    return len(rows)


def _search_parts(listing: Listing) -> list:
    """What a resident might type to find this listing."""
    return [
        listing.title,
        listing.description,
        listing.category.name,
        listing.category.get_domain_display(),
        listing.provider.name,
        listing.branch.name,
        listing.branch.address,
        listing.get_delivery_mode_display(),
    ]


def build_search_text(listing: Listing) -> str:
    """The listing's searchable Chinese text, as one plain string."""
    return "\n".join(str(p) for p in _search_parts(listing) if p)


def set_search_terms(listing: Listing) -> None:
    """Fill the text and lexemes the search index reads (the vector follows in the database)."""
    listing.search_text = build_search_text(listing)
    listing.search_title_terms = index_terms_of_parts([listing.title])
    listing.search_terms = index_terms_of_parts(_search_parts(listing))
    listing.domain = listing.category.domain
    listing.district = listing.branch.division_id[:6]


def listings_reindex(*, queryset=None, batch_size: int = 1000) -> int:
    """Recompute the search terms of many listings (after a provider or branch changed, or
    everything from `manage.py search_rebuild`)."""
    queryset = Listing.objects.all() if queryset is None else queryset
    queryset = queryset.select_related("provider", "branch", "category").order_by("pk")
    done, batch = 0, []
    for listing in queryset.iterator(chunk_size=batch_size):
        set_search_terms(listing)
        batch.append(listing)
        if len(batch) >= batch_size:
            done += _flush(batch)
    return done + _flush(batch)


def _flush(batch: list[Listing]) -> int:
    Listing.objects.bulk_update(
        batch, ["search_text", "search_title_terms", "search_terms", "domain", "district"]
    )
    count = len(batch)
    batch.clear()
    return count


def _clean(
    provider: Provider, data: dict, *, partial: bool, current: Listing | None = None
) -> tuple[dict, list | None]:
    unknown = set(data) - set(LISTING_FIELDS)
    if unknown:
        raise ListingError(
            _("不能设置这些字段：%(f)s") % {"f": ", ".join(sorted(unknown))},
            code="unknown_field",
            field=sorted(unknown)[0],
        )
    if not partial:
        for field in REQUIRED:
            if data.get(field) in (None, ""):
                raise ListingError(_("此项为必填项。"), code="required", field=field)
    values = dict(data)
    divisions = values.pop("service_divisions", None)
    if "branch" in values:
        branch = values["branch"]
        branch_id = branch.pk if isinstance(branch, Branch) else branch
        branch = Branch.objects.filter(pk=branch_id, provider=provider).first()
        if branch is None:
            raise ListingError(_("服务网点不属于本机构。"), code="invalid_branch", field="branch")
        values["branch"] = branch
    if "category" in values:
        category = values["category"]
        code = category.pk if isinstance(category, Category) else category
        category = Category.objects.filter(pk=code).first()
        if category is None:
            raise ListingError(_("未知的服务类别。"), code="invalid_category", field="category")
        if category.domain not in provider.domains:
            raise ListingError(
                _("本机构未登记“%(domain)s”领域，不能发布该类服务。")
                % {"domain": category.get_domain_display()},
                code="domain_not_registered",
                field="category",
            )
        values["category"] = category
    if "title" in values:
        values["title"] = (values["title"] or "").strip()
        if not values["title"]:
            raise ListingError(_("请填写服务名称。"), code="required", field="title")
    for field, choices in (
        ("price_unit", Listing.PriceUnit.values),
        ("delivery_mode", Listing.DeliveryMode.values),
    ):
        if field in values and values[field] not in choices:
            raise ListingError(_("无效的选项。"), code="invalid_choice", field=field)
    if "subsidies" in values:
        bad = [s for s in values["subsidies"] or [] if s not in Listing.Subsidy.values]
        if bad:
            raise ListingError(_("未知的补贴类型。"), code="invalid_choice", field="subsidies")
    if "price_fen" in values and (
        not isinstance(values["price_fen"], int) or not 0 <= values["price_fen"] <= 100_000_000
    ):
        raise ListingError(
            _("价格应为 0 到 100 万元之间的整数分。"), code="invalid", field="price_fen"
        )
    # Compare with what is stored for the bound a partial update leaves out.
    low = values.get("age_min_months", getattr(current, "age_min_months", None))
    high = values.get("age_max_months", getattr(current, "age_max_months", None))
    if low is not None and high is not None and high < low:
        raise ListingError(_("最大月龄不能小于最小月龄。"), code="invalid", field="age_max_months")
    if divisions is not None:
        codes = [d.pk if isinstance(d, Division) else d for d in divisions]
        found = list(Division.objects.filter(code__in=codes))
        if len(found) != len(set(codes)):
            raise ListingError(
                _("上门服务范围中有未知的区划。"),
                code="unknown_division",
                field="service_divisions",
            )
        divisions = found
    return values, divisions


def _save(
    listing: Listing, values: dict, divisions: list | None, actor, action: str, refresh: bool
) -> Listing:
    for field, value in values.items():
        setattr(listing, field, value)
    if listing.delivery_mode == Listing.DeliveryMode.AT_HOME and divisions == []:
        raise ListingError(
            _("上门服务请选择服务范围。"), code="required", field="service_divisions"
        )
    set_search_terms(listing)
    listing.save()
    if divisions is not None:
        listing.service_divisions.set(divisions)
    elif action == "created" and listing.delivery_mode == Listing.DeliveryMode.AT_HOME:
        raise ListingError(
            _("上门服务请选择服务范围。"), code="required", field="service_divisions"
        )
    audit_record(actor=actor, action=f"listing.{action}", target=listing)
    if refresh:
        # A listing of a domain whose licence is missing or expired starts hidden.
        listings_refresh_visibility(provider=listing.provider)
        listing.refresh_from_db(fields=["hidden_reason", "is_public"])
    return listing


def listing_create(*, provider: Provider, actor, data: dict, refresh: bool = True) -> Listing:
    require_member(actor, provider)
    values, divisions = _clean(provider, data, partial=False)
    with transaction.atomic():
        return _save(Listing(provider=provider), values, divisions, actor, "created", refresh)


def listing_update(*, listing: Listing, actor, data: dict, refresh: bool = True) -> Listing:
    require_member(actor, listing.provider)
    values, divisions = _clean(listing.provider, data, partial=True, current=listing)
    with transaction.atomic():
        return _save(listing, values, divisions, actor, "updated", refresh)


def listing_set_status(*, listing: Listing, actor, status: str) -> Listing:
    require_member(actor, listing.provider)
    if status not in Listing.Status.values:
        raise ListingError(_("无效的状态。"), code="invalid_choice", field="status")
    if status == Listing.Status.PUBLISHED and not listing.rules.exists():
        raise ListingError(_("请先设置排班，再发布服务。"), code="no_schedule", field="status")
    listing.status = status
    listing.save(update_fields=["status", "updated_at"])
    listings_refresh_visibility(provider=listing.provider)
    listing.refresh_from_db(fields=["is_public"])
    audit_record(actor=actor, action=f"listing.{status}", target=listing)
    return listing


class BulkError(ListingError):
    """Some items of a bulk request were invalid; nothing was written. `fields["items"]` maps
    the index of each invalid item to its field errors, as DRF reports nested serializers."""

    def __init__(self, errors: list[dict]):
        super().__init__(_("部分条目有误，全部未保存。"), code="bulk_invalid")
        self.errors = errors
        self.fields = {
            "items": {
                str(e["index"]): {e["field"] or "non_field_errors": [e["message"]]} for e in errors
            }
        }


def listings_bulk_upsert(*, provider: Provider, actor, items: list[dict]) -> list[Listing]:
    """Create (no `id`) or update (with `id`) many listings of one provider, all or nothing.

    On any invalid item nothing is written and BulkError lists every item's error by index.
    """
    require_member(actor, provider)
    if not items:
        raise ListingError(_("请至少提交一个条目。"), code="empty", field="items")
    if len(items) > 500:
        raise ListingError(_("一次最多提交 500 个条目。"), code="too_many", field="items")
    results, errors = [], []
    with transaction.atomic():
        for index, item in enumerate(items):
            item = dict(item)
            listing_id = item.pop("id", None)
            try:
                with transaction.atomic():
                    if listing_id is None:
                        results.append(
                            listing_create(provider=provider, actor=actor, data=item, refresh=False)
                        )
                    else:
                        listing = Listing.objects.filter(pk=listing_id, provider=provider).first()
                        if listing is None:
                            raise ListingError(
                                _("服务项目不存在或不属于本机构。"), code="not_found", field="id"
                            )
                        results.append(
                            listing_update(listing=listing, actor=actor, data=item, refresh=False)
                        )
            except IntegrityError as exc:
                # A database rule the checks above missed: still this item's error, not a 500.
                rule = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None)
                errors.append(
                    {
                        "index": index,
                        "field": None,
                        "code": "constraint",
                        "message": _("该条目不符合数据规则（%(rule)s）。") % {"rule": rule or "-"},
                    }
                )
            except ListingError as exc:
                errors.append(
                    {
                        "index": index,
                        "field": exc.field,
                        "code": exc.code,
                        "message": str(exc.message),
                    }
                )
        if errors:
            raise BulkError(errors)  # leaving the block rolls everything back
        listings_refresh_visibility(provider=provider)
    hidden = dict(
        Listing.objects.filter(pk__in=[x.pk for x in results]).values_list("pk", "hidden_reason")
    )
    for listing in results:
        listing.hidden_reason = hidden[listing.pk]
    return results


PHOTO_MAX_BYTES = 5 * MB
PHOTOS_PER_LISTING = 9


def listing_photo_add(*, listing: Listing, actor, image, caption: str = "") -> ListingPhoto:
    """A PNG or JPEG photo (read from the content, at most 5 MB), up to nine per listing."""
    require_member(actor, listing.provider)
    try:
        content_type, extension = sniff(image, allowed=IMAGE_KINDS, max_bytes=PHOTO_MAX_BYTES)
    except ValidationError as exc:
        raise ListingError(exc.messages[0], code=exc.code, field="image") from None
    with transaction.atomic():
        # Lock the listing so two uploads at once cannot both pass the count check.
        Listing.objects.select_for_update().filter(pk=listing.pk).first()
        if listing.photos.count() >= PHOTOS_PER_LISTING:
            raise ListingError(
                _("每个服务项目最多 %(n)d 张图片。") % {"n": PHOTOS_PER_LISTING},
                code="too_many_photos",
                field="image",
            )
        photo = ListingPhoto(
            listing=listing,
            content_type=content_type,
            caption=(caption or "").strip()[:100],
            sort=listing.photos.count(),
        )
        image.seek(0)
        photo.image.save(private_name("listings", extension), ContentFile(image.read()), save=False)
        photo.save()
        audit_record(actor=actor, action="listing.photo_added", target=listing)
    return photo


def listing_photo_delete(*, photo: ListingPhoto, actor) -> None:
    require_member(actor, photo.listing.provider)
    with transaction.atomic():
        photo.image.delete(save=False)
        photo.delete()
