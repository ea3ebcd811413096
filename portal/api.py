"""API conventions shared by every app: pagination and one error shape.

Every error answers `{"detail": str, "code": str, "fields": {field: [messages]}}`.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from portal.errors import DomainError


class PagePagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


def _first_code(codes) -> str:
    if isinstance(codes, dict):
        for value in codes.values():
            return _first_code(value)
    if isinstance(codes, list) and codes:
        return _first_code(codes[0])
    return str(codes) if codes else "invalid"


def _plain(detail):
    """An ErrorDetail tree as plain JSON: dicts stay dicts, lists stay lists, leaves are str."""
    if isinstance(detail, dict):
        return {key: _plain(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_plain(value) for value in detail]
    return str(detail)


def _field_errors(detail) -> dict:
    if isinstance(detail, dict):
        return {
            key: _plain(value) if isinstance(value, (list, dict)) else [str(value)]
            for key, value in detail.items()
        }
    return {"non_field_errors": _plain(detail if isinstance(detail, list) else [detail])}


def error_body(detail, code: str, fields: dict | None = None) -> dict:
    return {"detail": str(detail), "code": code, "fields": fields or {}}


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        body = {"detail": str(exc.message), "code": exc.code, "fields": exc.field_errors()}
        return Response(body, status=exc.status)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {
            "detail": _("输入有误，请检查标出的字段。"),
            "code": _first_code(exc.get_codes()),
            "fields": _field_errors(exc.detail),
        }
        response.status_code = status.HTTP_400_BAD_REQUEST
    elif isinstance(exc, exceptions.APIException):
        structured = isinstance(exc.detail, (list, dict))
        response.data = {
            "detail": _("请求无法处理。") if structured else str(exc.detail),
            "code": _first_code(exc.get_codes()),
            "fields": _field_errors(exc.detail) if structured else {},
        }
    return response
