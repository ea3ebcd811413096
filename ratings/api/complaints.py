"""Complaints API: residents file and follow their complaints; officials list their
jurisdiction's and take them through their stages; provider staff read the complaints about
their organisations and answer. A complaint the caller may not see does not exist (404)."""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from providers.models import Provider
from ratings import selectors
from ratings.errors import RatingsForbidden
from ratings.filters_complaints import ComplaintFilter
from ratings.models import Complaint, ComplaintEvent, ComplaintFile, ComplaintMessage
from ratings.services import complaints as service
from services import selectors as booking_selectors

# --- Serializers ---------------------------------------------------------------------------------


class ComplaintSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    category_label = serializers.CharField(source="get_category_display", read_only=True)
    provider_name = serializers.CharField(
        source="provider.name",
        read_only=True,
        allow_null=True,
        help_text="null when the complaint is not about a provider (see subject_name)",
    )
    subject_kind = serializers.ChoiceField(choices=Complaint.SubjectKind.choices, read_only=True)
    subject_name = serializers.CharField(
        source="subject_display", read_only=True, help_text="what the complaint is about"
    )
    overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Complaint
        fields = [
            "id",
            "reference",
            "status",
            "status_label",
            "category",
            "category_label",
            "subject_kind",
            "subject_name",
            "subject_ref",
            "provider",
            "provider_name",
            "booking",
            "division",
            "stage_due_at",
            "overdue",
            "escalated_at",
            "upheld",
            "handling_rating",
            "created_at",
            "closed_at",
        ]
        read_only_fields = fields


class ComplaintEventSerializer(serializers.ModelSerializer):
    # The filing event has no previous status: "" (a read-only model field would not say so).
    from_status = serializers.ChoiceField(
        choices=Complaint.Status.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = ComplaintEvent
        fields = ["from_status", "to_status", "note", "at"]
        read_only_fields = fields


class ComplaintMessageSerializer(serializers.ModelSerializer):
    speaker = serializers.SerializerMethodField(
        help_text="resident, provider or official: the side that wrote it"
    )

    class Meta:
        model = ComplaintMessage
        fields = ["id", "speaker", "text", "at"]
        read_only_fields = fields

    def get_speaker(self, message) -> str:
        return service.speaker_of(message.complaint, message)


class ComplaintFileSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = ComplaintFile
        fields = ["id", "content_type", "url"]
        read_only_fields = fields

    def get_url(self, record) -> str:
        return reverse("ratings:complaint-file", kwargs={"pk": record.pk})


class ComplainantSerializer(serializers.Serializer):
    name = serializers.CharField()
    phone = serializers.CharField(help_text="empty when masked")
    masked = serializers.BooleanField()


class ComplaintDetailSerializer(ComplaintSerializer):
    complainant = serializers.SerializerMethodField()
    messages = serializers.SerializerMethodField()
    events = ComplaintEventSerializer(many=True, read_only=True)
    files = ComplaintFileSerializer(many=True, read_only=True)

    class Meta(ComplaintSerializer.Meta):
        fields = [
            *ComplaintSerializer.Meta.fields,
            "description",
            "desired_outcome",
            "outcome",
            "complainant",
            "messages",
            "events",
            "files",
        ]
        read_only_fields = fields

    @extend_schema_field(ComplainantSerializer)
    def get_complainant(self, complaint) -> dict:
        return self.context["complainant"]

    def _shown(self, text: str) -> str:
        return service.complaint_case_text(identity=self.context["complainant"], text=text)

    def get_messages(self, complaint) -> list:
        for message in complaint.messages.all():
            message.complaint = complaint  # speaker_of compares with the complaint's resident
        data = ComplaintMessageSerializer(complaint.messages.all(), many=True).data
        return [{**row, "text": self._shown(row["text"])} for row in data]

    def to_representation(self, complaint) -> dict:
        # Free text as the viewer may read it (identifiers masked unless they may see who
        # complained): the same rule as the page, see complaint_case_text.
        data = super().to_representation(complaint)
        for field in ("description", "desired_outcome", "outcome"):
            data[field] = self._shown(data[field])
        data["events"] = [{**row, "note": self._shown(row["note"])} for row in data["events"]]
        return data


class ComplaintCreateSerializer(serializers.Serializer):
    """The shape only: the rules (whose booking, which category, which files) are the
    service's, so the API and the page answer alike."""

    provider = serializers.UUIDField(required=False, allow_null=True)
    booking = serializers.UUIDField(required=False, allow_null=True)
    category = serializers.CharField(required=False, allow_blank=True, default="")
    description = serializers.CharField(
        required=False, allow_blank=True, default="", trim_whitespace=False
    )
    desired_outcome = serializers.CharField(required=False, allow_blank=True, default="")
    files = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, max_length=20
    )


class ComplaintTransitionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=list(service.TRANSITIONS))
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)
    outcome = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    upheld = serializers.BooleanField(required=False, allow_null=True, default=None)


class ComplaintMessageCreateSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=2000)


class ComplaintRateSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)


# --- Views ---------------------------------------------------------------------------------------


class ComplaintViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Residents: their own complaints (and filing one). Officials: their jurisdiction's.
    Provider staff: those about their organisations. Filters: status, category, overdue, q."""

    serializer_class = ComplaintSerializer
    filterset_class = ComplaintFilter
    ordering_fields = ["created_at", "stage_due_at"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    queryset = Complaint.objects.none()

    def get_queryset(self):
        return selectors.complaint_list_visible(viewer=self.request.user)

    def _complaint(self, pk) -> Complaint:
        complaint = selectors.complaint_get_visible(viewer=self.request.user, pk=pk)
        if complaint is None:
            raise Http404
        return complaint

    def _detail(self, complaint: Complaint, *, code: int = status.HTTP_200_OK) -> Response:
        complaint = self._complaint(complaint.pk)  # fresh, with its case file
        complainant = service.complaint_identity(
            complaint=complaint, viewer=self.request.user, request=self.request
        )
        data = ComplaintDetailSerializer(complaint, context={"complainant": complainant}).data
        return Response(data, status=code)

    @extend_schema(responses={200: ComplaintDetailSerializer})
    def retrieve(self, request, pk=None):
        """One complaint with its messages, history and evidence. The handling official gets
        the complainant's name and phone (an audited read); others a masked name."""
        return self._detail(self._complaint(_int(pk)))

    @extend_schema(
        request={
            "multipart/form-data": ComplaintCreateSerializer,
            "application/json": ComplaintCreateSerializer,
        },
        responses={201: ComplaintDetailSerializer},
    )
    def create(self, request):
        """File a complaint about an organisation (`provider`) or one of my bookings
        (`booking`), with up to five PDF/PNG/JPEG files (`files`, ≤ 10 MB each)."""
        data = ComplaintCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        booking = provider = None
        if values.get("booking"):
            booking = booking_selectors.booking_get_for_resident(
                user=request.user, pk=values["booking"]
            )
            if booking is None:
                raise ValidationError({"booking": [_("没有这条预约，或它不属于您。")]})
        if values.get("provider"):
            provider = Provider.objects.filter(
                pk=values["provider"], status__in=service.COMPLAINABLE
            ).first()
            if provider is None:
                raise ValidationError({"provider": [_("没有这个服务机构。")]})
        complaint = service.complaint_file(
            resident=request.user,
            provider=provider,
            booking=booking,
            category=values["category"],
            description=values["description"],
            desired_outcome=values["desired_outcome"],
            files=values["files"],
        )
        return self._detail(complaint, code=status.HTTP_201_CREATED)

    @extend_schema(
        request=ComplaintTransitionSerializer, responses={200: ComplaintDetailSerializer}
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def transition(self, request, pk=None):
        """An official covering the complaint takes one step: accept, not_accept (`note`
        required), investigate, resolve (`outcome` and `upheld` required) or reject
        (`outcome` required). An illegal step answers 409 `illegal_transition`."""
        complaint = self._complaint(_int(pk))
        if not service.may_handle(request.user, complaint):
            # The complainant and the provider see the case but never get past this point.
            raise RatingsForbidden(_("您无权办理这件投诉。"), code="forbidden")
        data = ComplaintTransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        complaint = service.complaint_transition(
            complaint=complaint,
            action=values["action"],
            actor=request.user,
            note=values["note"],
            outcome=values["outcome"],
            upheld=values["upheld"],
        )
        return self._detail(complaint)

    @extend_schema(
        methods=["GET"], request=None, responses={200: ComplaintMessageSerializer(many=True)}
    )
    @extend_schema(
        methods=["POST"],
        request=ComplaintMessageCreateSerializer,
        responses={201: ComplaintMessageSerializer},
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[], pagination_class=None)
    def messages(self, request, pk=None):
        """The messages inside the case; the resident, the provider's staff and the handling
        official write them (the provider's answer is one)."""
        complaint = self._complaint(_int(pk))
        if request.method == "GET":
            for message in complaint.messages.all():
                message.complaint = complaint
            return Response(ComplaintMessageSerializer(complaint.messages.all(), many=True).data)
        if not service.may_write_message(request.user, complaint):
            # An official covering the case who is not its handler reads but does not write.
            raise RatingsForbidden(_("您无权在这件投诉中留言。"), code="forbidden")
        data = ComplaintMessageCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        message = service.complaint_message(
            complaint=complaint, author=request.user, text=data.validated_data["text"]
        )
        message.complaint = complaint
        return Response(ComplaintMessageSerializer(message).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ComplaintRateSerializer, responses={200: ComplaintDetailSerializer})
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def rate(self, request, pk=None):
        """The complainant rates the handling (1–5), once, after the case is closed."""
        complaint = self._complaint(_int(pk))
        if request.user.pk != complaint.resident_id:
            raise RatingsForbidden(_("只有投诉人可以评价办理情况。"), code="forbidden")
        data = ComplaintRateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        complaint = service.complaint_rate_handling(
            complaint=complaint, resident=request.user, rating=data.validated_data["rating"]
        )
        return self._detail(complaint)


def _int(pk) -> int:
    if not str(pk).isdigit():
        raise Http404
    return int(pk)


router = SimpleRouter()
router.register("complaints", ComplaintViewSet, basename="complaint")

urlpatterns = router.urls
