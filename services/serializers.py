"""API serializers of the services app."""

from __future__ import annotations

from rest_framework import serializers

from services.models import Category, Listing, ScheduleRule, Slot


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["code", "domain", "name", "name_en"]


class ListingSerializer(serializers.ModelSerializer):
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    division = serializers.CharField(source="branch.division_id", read_only=True)
    latitude = serializers.DecimalField(
        source="branch.latitude", max_digits=9, decimal_places=6, read_only=True
    )
    longitude = serializers.DecimalField(
        source="branch.longitude", max_digits=9, decimal_places=6, read_only=True
    )

    class Meta:
        model = Listing
        fields = [
            "id",
            "provider",
            "provider_name",
            "branch",
            "category",
            "title",
            "description",
            "price_fen",
            "price_unit",
            "subsidies",
            "delivery_mode",
            "duration_minutes",
            "capacity_per_slot",
            "age_min_months",
            "age_max_months",
            "languages",
            "status",
            "hidden_reason",
            "division",
            "latitude",
            "longitude",
            "free_cancel_hours",
            "late_cancel_fee_pct",
            "quality_score",
            "review_count",
        ]
        read_only_fields = fields


class ListingWriteSerializer(serializers.Serializer):
    """One listing to create or update. Nothing has a default here: an update changes only
    what it sends; on create the model's defaults apply and the service checks what is
    required (branch, category, title, price_fen, price_unit)."""

    id = serializers.IntegerField(required=False, help_text="Present to update, absent to create.")
    branch = serializers.IntegerField(required=False)
    category = serializers.CharField(max_length=40, required=False)
    title = serializers.CharField(max_length=100, required=False)
    description = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    price_fen = serializers.IntegerField(min_value=0, max_value=100_000_000, required=False)
    price_unit = serializers.ChoiceField(choices=Listing.PriceUnit.choices, required=False)
    subsidies = serializers.ListField(
        child=serializers.ChoiceField(choices=Listing.Subsidy.choices),
        required=False,
        max_length=10,
    )
    delivery_mode = serializers.ChoiceField(choices=Listing.DeliveryMode.choices, required=False)
    service_divisions = serializers.ListField(
        child=serializers.CharField(max_length=9), required=False, max_length=50
    )
    duration_minutes = serializers.IntegerField(min_value=5, max_value=44640, required=False)
    capacity_per_slot = serializers.IntegerField(min_value=1, max_value=10000, required=False)
    age_min_months = serializers.IntegerField(
        min_value=0, max_value=1500, required=False, allow_null=True
    )
    age_max_months = serializers.IntegerField(
        min_value=0, max_value=1500, required=False, allow_null=True
    )
    languages = serializers.ListField(
        child=serializers.CharField(max_length=20), required=False, max_length=10
    )


class ListingBulkSerializer(serializers.Serializer):
    items = ListingWriteSerializer(many=True, allow_empty=False, max_length=500)


class RuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = ScheduleRule
        fields = [
            "weekday",
            "start",
            "end",
            "slot_minutes",
            "capacity",
            "valid_from",
            "valid_until",
        ]
        extra_kwargs = {
            "slot_minutes": {"min_value": 5, "max_value": 1440},
            "capacity": {"min_value": 1, "max_value": 10000},
        }


class ScheduleSerializer(serializers.Serializer):
    rules = RuleSerializer(many=True, max_length=50)


class ScheduleBulkItemSerializer(serializers.Serializer):
    listing = serializers.IntegerField()
    rules = RuleSerializer(many=True, max_length=50)


class ScheduleBulkSerializer(serializers.Serializer):
    items = ScheduleBulkItemSerializer(many=True, allow_empty=False, max_length=500)


class ListingStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Listing.Status.choices)


class SlotSerializer(serializers.ModelSerializer):
    class Meta:
        model = Slot
        fields = ["id", "starts_at", "ends_at", "capacity", "remaining"]


class SearchResultSerializer(ListingSerializer):
    distance_km = serializers.FloatField(read_only=True, required=False, allow_null=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    branch_address = serializers.CharField(source="branch.address", read_only=True)

    class Meta(ListingSerializer.Meta):
        fields = [*ListingSerializer.Meta.fields, "distance_km", "category_name", "branch_address"]
        read_only_fields = fields


class FacetSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class FacetsSerializer(serializers.Serializer):
    domain = FacetSerializer(many=True)
    category = FacetSerializer(many=True)
    district = FacetSerializer(many=True)


class SearchResponseSerializer(serializers.Serializer):
    results = SearchResultSerializer(many=True)
    facets = FacetsSerializer()
    page = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)


class SearchQuerySerializer(serializers.Serializer):
    """The search parameters, for the schema (validation is services.filters)."""

    q = serializers.CharField(
        required=False, help_text="Chinese words or pinyin (full or initials)"
    )
    domain = serializers.CharField(required=False)
    category = serializers.CharField(required=False)
    division = serializers.CharField(required=False, help_text="A district includes its streets")
    lat = serializers.FloatField(required=False)
    lng = serializers.FloatField(required=False)
    radius_km = serializers.FloatField(required=False)
    min_rating = serializers.FloatField(required=False, help_text="1–5, residents' score")
    address = serializers.IntegerField(
        required=False, help_text="One of the signed-in resident's saved addresses, for lat/lng"
    )
    price_min = serializers.IntegerField(required=False, help_text="fen")
    price_max = serializers.IntegerField(required=False, help_text="fen")
    free_from = serializers.DateField(required=False)
    free_to = serializers.DateField(required=False)
    subsidy = serializers.CharField(required=False)
    delivery_mode = serializers.CharField(required=False)
    accessibility = serializers.CharField(required=False)
    age_months = serializers.IntegerField(required=False)
    sort = serializers.ChoiceField(
        choices=["relevance", "distance", "price", "-price"], required=False
    )
    page = serializers.IntegerField(required=False, min_value=1)
