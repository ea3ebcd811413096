"""Accounts API: signup, tokens, my profile, my data (export and erasure), divisions."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.accounts import selectors, services
from portal.accounts.filters import DivisionFilter
from portal.accounts.permissions import IsResident
from portal.accounts.serializers import (
    DivisionSerializer,
    ErasureSerializer,
    SignupSerializer,
    TokenObtainSerializer,
    TokenSerializer,
    UserSerializer,
)


class SignupApi(APIView):
    """Register a resident with phone, name, password and consent to the privacy notice."""

    permission_classes = [AllowAny]

    @extend_schema(request=SignupSerializer, responses={201: UserSerializer})
    def post(self, request):
        serializer = SignupSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.user_signup(**serializer.validated_data, request=request)
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)


class TokenObtainApi(APIView):
    """Exchange phone and password for an API token (throttled like the login page)."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(request=TokenObtainSerializer, responses={200: TokenSerializer})
    def post(self, request):
        serializer = TokenObtainSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(
            request=request._request,
            username=serializer.validated_data["phone"],
            password=serializer.validated_data["password"],
        )
        if user is None:
            raise ValidationError(
                {"non_field_errors": [_("手机号码或密码不正确。")]}, code="invalid_credentials"
            )
        token = services.token_issue(user=user)
        return Response({"token": token.key})


class MeApi(generics.RetrieveUpdateAPIView):
    """The signed-in person's own account."""

    serializer_class = UserSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self):
        return self.request.user

    def perform_update(self, serializer):
        services.user_update_profile(user=self.request.user, **serializer.validated_data)


class MyDataExportApi(APIView):
    """Everything the portal holds about the signed-in person, as JSON."""

    @extend_schema(responses={200: OpenApiResponse(description="Personal data export")})
    def get(self, request):
        return Response(selectors.personal_data_export(user=request.user))


class MyDataErasureApi(APIView):
    """Close a resident's account and erase their personal data (needs the password)."""

    permission_classes = [IsResident]

    @extend_schema(request=ErasureSerializer, responses={204: None})
    def post(self, request):
        serializer = ErasureSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.user_erase(user=request.user, request=request, **serializer.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


class DivisionViewSet(viewsets.ReadOnlyModelViewSet):
    """Administrative divisions (GB/T 2260), public."""

    permission_classes = [AllowAny]
    serializer_class = DivisionSerializer
    filterset_class = DivisionFilter
    queryset = selectors.division_list()
    ordering_fields = ["code", "name"]
