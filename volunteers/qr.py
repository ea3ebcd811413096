"""QR codes drawn on the server as SVG with reportlab (no script, no external service)."""

from __future__ import annotations

from reportlab.graphics import renderSVG
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing

# Points per side of the drawing; the page scales the image with CSS.
SIZE = 240


def qr_svg(text: str) -> str:
    """An SVG document of the QR code encoding `text` (error correction M, a quiet zone)."""
    widget = QrCodeWidget(text, barLevel="M", barWidth=SIZE, barHeight=SIZE)
    drawing = Drawing(SIZE, SIZE)
    drawing.add(widget)
    # Modules drawn edge to edge: without anti-aliasing the seams between them do not show.
    return renderSVG.drawToString(drawing).replace("<svg ", '<svg shape-rendering="crispEdges" ', 1)
