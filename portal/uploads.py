"""Uploaded files: the type is read from the content (never trusted from the name or the
browser), the size is bounded, and files are stored under random names outside the web root."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# kind -> (leading bytes, content type, extension)
SIGNATURES = {
    "pdf": (b"%PDF-", "application/pdf", "pdf"),
    "png": (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    "jpeg": (b"\xff\xd8\xff", "image/jpeg", "jpg"),
}
DOCUMENT_KINDS = frozenset({"pdf", "png", "jpeg"})
IMAGE_KINDS = frozenset({"png", "jpeg"})
MB = 1024 * 1024


def sniff(upload, *, allowed: frozenset[str], max_bytes: int) -> tuple[str, str]:
    """Return (content_type, extension) of an uploaded file or raise ValidationError."""
    if upload is None:
        raise ValidationError(_("请选择要上传的文件。"), code="required")
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise ValidationError(
            _("文件不能超过 %(mb)d MB。") % {"mb": max_bytes // MB}, code="file_too_large"
        )
    if size == 0:
        raise ValidationError(_("文件是空的。"), code="file_empty")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for kind in allowed:
        magic, content_type, extension = SIGNATURES[kind]
        if head.startswith(magic):
            return content_type, extension
    names = "、".join(sorted(k.upper() for k in allowed))
    raise ValidationError(
        _("只能上传 %(kinds)s 文件（按文件内容识别）。") % {"kinds": names}, code="file_type"
    )


def private_name(folder: str, extension: str) -> str:
    """A random file name under MEDIA_ROOT/private/<folder>/ (never derived from user input)."""
    return f"private/{folder}/{uuid.uuid4().hex}.{extension}"
