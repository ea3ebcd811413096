"""Uploaded files: the type is read from the content (never trusted from the name or the
browser), the size is bounded, and files are stored under random names outside the web root."""

from __future__ import annotations

import re
import struct
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
# A picture larger than this (in pixels) is refused: a few KB of compressed PNG can otherwise
# decode to gigabytes wherever it is shown or processed (a "decompression bomb").
MAX_PIXELS = 40_000_000
# PDF names that make a reader run script, start programs or unpack files; refused in uploads.
# (Names may be written with #xx escapes, which are decoded first. Inside compressed object
# streams they are not seen: the served file is sandboxed by UPLOAD_CSP all the same.)
PDF_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile|RichMedia|XFA|SubmitForm)\b")


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
            _check_content(kind, upload)
            return content_type, extension
    names = "、".join(sorted(k.upper() for k in allowed))
    raise ValidationError(
        _("只能上传 %(kinds)s 文件（按文件内容识别）。") % {"kinds": names}, code="file_type"
    )


def _check_content(kind: str, upload) -> None:
    """Beyond the signature: a picture's declared size, a PDF's active content."""
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    if kind == "pdf":
        names = re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), data)
        if PDF_ACTIVE.search(names):
            raise ValidationError(
                _("PDF 文件含有脚本、附件或表单提交等内容，不能上传。"), code="file_active"
            )
        return
    # A header without a readable size is let through here (pictures are only ever shown by
    # browsers, which stop at a bad header); a readable one must be of a sane size.
    size = _png_size(data) if kind == "png" else _jpeg_size(data)
    if size is not None and size[0] * size[1] > MAX_PIXELS:
        raise ValidationError(
            _("图片尺寸过大（最多 %(mp)d 百万像素）。") % {"mp": MAX_PIXELS // 1_000_000},
            code="file_too_many_pixels",
        )


def _png_size(data: bytes) -> tuple[int, int] | None:
    # The first chunk of a PNG is IHDR: width and height, 4 bytes each, big-endian.
    if len(data) < 24 or data[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", data[16:24])


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    # Walk the marker segments to the start-of-frame (SOF0..SOF15 but DHT, JPG, DAC).
    pos = 2
    while pos + 9 < len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        length = struct.unpack(">H", data[pos + 2 : pos + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in {0xC4, 0xC8, 0xCC}:
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            return width, height
        pos += 2 + length
    return None


# Every uploaded file is served with this policy: should a file ever hold markup after all, the
# browser runs no script of it and loads nothing for it (nosniff comes from SecurityMiddleware).
UPLOAD_CSP = "default-src 'none'; sandbox"


def upload_response(field_file, *, content_type: str, cache_control: str, **kwargs):
    """A FileResponse for an uploaded file (`kwargs`: FileResponse's as_attachment, filename),
    sandboxed by UPLOAD_CSP. The file is opened through its storage, by the stored name."""
    from django.http import FileResponse

    response = FileResponse(field_file.open("rb"), content_type=content_type, **kwargs)
    response["Cache-Control"] = cache_control
    response["Content-Security-Policy"] = UPLOAD_CSP
    return response


def private_name(folder: str, extension: str) -> str:
    """A random file name under MEDIA_ROOT/private/<folder>/ (never derived from user input)."""
    return f"private/{folder}/{uuid.uuid4().hex}.{extension}"
