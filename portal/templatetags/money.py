"""Money in templates: integer fen shown as yuan (`{{ amount_fen|yuan }}` → 12.50)."""

from django import template

register = template.Library()


@register.filter
def yuan(fen) -> str:
    try:
        fen = int(fen)
    except (TypeError, ValueError):
        return ""
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100}.{abs(fen) % 100:02d}"
