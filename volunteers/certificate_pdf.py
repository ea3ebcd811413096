"""The certificate of volunteer service (志愿服务证明) as a PDF, rendered on the server with
reportlab: A4, the holder's own document (full name, ID number masked), the lines of service
(paginated), the verification code and a QR code of the public verification page.

The Chinese font is WenQuanYi Micro Hei, vendored in static/fonts/ (Apache-2.0, see
LICENSE-wqy-microhei.txt) and embedded as a subset, so the PDF looks the same everywhere and
its text can be searched and copied.
"""

from __future__ import annotations

import functools
import io
from urllib.parse import urlencode
from xml.sax.saxutils import escape

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from volunteers.formatting import hours_label
from volunteers.models import ActivityDomain, Certificate

FONT_NAME = "WenQuanYiMicroHei"
FONT_PATH = settings.BASE_DIR / "static" / "fonts" / "wqy-microhei.ttc"
QR_SIZE = 32 * mm


@functools.cache
def _font() -> str:
    """Register the vendored font once per process (face 0 of the collection: Micro Hei)."""
    pdfmetrics.registerFont(TTFont(FONT_NAME, str(FONT_PATH), subfontIndex=0))
    return FONT_NAME


def verify_url(code: str) -> str:
    """The absolute address of the public verification page for `code` (on the portal's
    public address, PORTAL_BASE_URL: a printed certificate outlives the request)."""
    path = reverse("volunteers:verify")
    return f"{settings.PORTAL_BASE_URL}{path}?{urlencode({'code': code})}"


def qr_payload(certificate: Certificate) -> str:
    """What the certificate's QR code encodes."""
    return verify_url(certificate.code)


def _styles() -> dict[str, ParagraphStyle]:
    font = _font()
    base = ParagraphStyle("base", fontName=font, fontSize=10.5, leading=16, wordWrap="CJK")
    return {
        "title": ParagraphStyle(
            "title", parent=base, fontSize=24, leading=32, alignment=1, spaceAfter=6 * mm
        ),
        "body": ParagraphStyle("body", parent=base, fontSize=12, leading=22, firstLineIndent=24),
        "base": base,
        "cell": ParagraphStyle("cell", parent=base, fontSize=9.5, leading=13),
        "head": ParagraphStyle("head", parent=base, fontSize=13, leading=18, spaceBefore=4 * mm),
        "small": ParagraphStyle("small", parent=base, fontSize=9, leading=13),
    }


def _cn_date(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _qr(value: str) -> Drawing:
    widget = QrCodeWidget(value, barLevel="M")
    left, bottom, right, top = widget.getBounds()
    drawing = Drawing(
        QR_SIZE,
        QR_SIZE,
        transform=[QR_SIZE / (right - left), 0, 0, QR_SIZE / (top - bottom), 0, 0],
    )
    drawing.add(widget)
    return drawing


def _facts(certificate: Certificate, styles) -> Table:
    volunteer = certificate.volunteer
    rows = [
        (_("姓名"), volunteer.real_name),
        (_("身份证号"), volunteer.id_number_masked or "—"),
        (_("志愿者编号"), volunteer.number),
        (
            _("证明期间"),
            f"{certificate.period_start:%Y-%m-%d} {_('至')} {certificate.period_end:%Y-%m-%d}",
        ),
        (
            _("累计服务时长"),
            _("%(h)s 小时（%(m)s 分钟）") % {"h": certificate.hours, "m": certificate.minutes},
        ),
        (_("参加活动"), _("%(n)s 次") % {"n": certificate.activity_count}),
    ]
    table = Table(
        [
            [Paragraph(escape(k), styles["base"]), Paragraph(escape(v), styles["base"])]
            for k, v in rows
        ],
        colWidths=[36 * mm, 134 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f1f4f8")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return table


def _lines_table(certificate: Certificate, styles) -> Table:
    cell = styles["cell"]
    head = [_("日期"), _("活动名称"), _("志愿服务组织"), _("服务领域"), _("时长（小时）")]
    rows = [[Paragraph(escape(h), cell) for h in head]]
    for line in certificate.lines:
        domain = line.get("domain", "")
        label = ActivityDomain(domain).label if domain in ActivityDomain.values else domain
        rows.append(
            [
                Paragraph(escape(line.get("date", "")), cell),
                Paragraph(escape(line.get("activity", "")), cell),
                Paragraph(escape(line.get("organisation", "")), cell),
                Paragraph(escape(str(label)), cell),
                Paragraph(hours_label(line.get("minutes", 0)), cell),
            ]
        )
    # repeatRows: a long list continues on the next page under the same header.
    table = Table(rows, colWidths=[24 * mm, 58 * mm, 44 * mm, 18 * mm, 26 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e3e9f1")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _verification(certificate: Certificate, styles) -> Table:
    url = qr_payload(certificate)
    text = [
        Paragraph(escape(_("验证码：%(code)s") % {"code": certificate.code}), styles["head"]),
        Paragraph(
            escape(_("扫描二维码，或访问以下地址输入验证码，可核验本证明的真实性和有效性：")),
            styles["small"],
        ),
        Paragraph(escape(url), styles["small"]),
    ]
    table = Table([[text, _qr(url)]], colWidths=[170 * mm - QR_SIZE - 4 * mm, QR_SIZE + 4 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    return table


def certificate_pdf_response(certificate: Certificate) -> HttpResponse:
    """The PDF as a download (the page and the API answer the same)."""
    response = HttpResponse(render_certificate_pdf(certificate), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="volunteer-certificate-{certificate.code}.pdf"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


def render_certificate_pdf(certificate: Certificate) -> bytes:
    """The certificate as PDF bytes (always in Chinese: it is an official document)."""
    with translation.override("zh-hans"):
        return _render(certificate)


def _render(certificate: Certificate) -> bytes:
    styles = _styles()
    volunteer = certificate.volunteer
    site = settings.PORTAL_SITE_NAME
    issued = timezone.localtime(certificate.issued_at)
    buffer = io.BytesIO()

    def on_page(canvas, doc):
        canvas.saveState()
        canvas.setFont(_font(), 8)
        canvas.setFillColor(colors.grey)
        canvas.drawString(20 * mm, 12 * mm, site)
        footer = _("验证码 %(code)s · 第 %(page)s 页") % {
            "code": certificate.code,
            "page": doc.page,
        }
        canvas.drawRightString(A4[0] - 20 * mm, 12 * mm, footer)
        canvas.restoreState()

    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=22 * mm,
        title=_("志愿服务证明 %(code)s") % {"code": certificate.code},
        author=site,
        subject=_("志愿服务证明"),
        creator=site,
    )
    statement = _(
        "兹证明 %(name)s（志愿者编号 %(number)s）于 %(start)s 至 %(end)s 期间，"
        "在%(site)s参加志愿服务活动 %(count)s 次，经活动组织方确认的累计服务时长为 "
        "%(hours)s 小时。特此证明。"
    ) % {
        "name": volunteer.real_name,
        "number": volunteer.number,
        "start": _cn_date(certificate.period_start),
        "end": _cn_date(certificate.period_end),
        "site": site,
        "count": certificate.activity_count,
        "hours": certificate.hours,
    }
    # The statement, the facts and how to verify them on the first page; the lines follow.
    story = [
        Paragraph(escape(_("志愿服务证明")), styles["title"]),
        Paragraph(escape(statement), styles["body"]),
        Spacer(1, 4 * mm),
        _facts(certificate, styles),
        Spacer(1, 4 * mm),
        KeepTogether(
            [
                Paragraph(escape(_("出具平台：%(site)s") % {"site": site}), styles["base"]),
                Paragraph(
                    escape(_("出具日期：%(date)s") % {"date": _cn_date(issued)}), styles["base"]
                ),
                _verification(certificate, styles),
            ]
        ),
        Paragraph(escape(_("服务明细")), styles["head"]),
        Spacer(1, 2 * mm),
        _lines_table(certificate, styles),
    ]
    if certificate.revoked_at is not None:
        story.insert(1, Paragraph(escape(_("（本证明已作废）")), styles["title"]))
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()
