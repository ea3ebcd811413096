"""Small helpers shared by the socialorgs API modules."""

from __future__ import annotations

from django.http import Http404


def found(obj):
    """The object a selector returned, or 404: someone else's record looks like no record."""
    if obj is None:
        raise Http404
    return obj


def valid(serializer_class, request) -> dict:
    """The request body, validated by the serializer (400 with field errors otherwise)."""
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)
