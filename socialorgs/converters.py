"""The `creditcode` path converter: 18 letters or digits (a 统一社会信用代码, in either case;
the selectors normalise and check it). Registered once, when this module is imported by the
page and API routes, so `mine/<creditcode:...>/` never swallows another page's word."""

from django.urls import register_converter


class CreditCodeConverter:
    regex = "[0-9A-Za-z]{18}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(CreditCodeConverter, "creditcode")
