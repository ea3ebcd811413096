"""Forms of the review pages. They check the shape of the input; the rules (window, once per
booking, dimensions of the domain, photos by content) live in ratings.services.reviews."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ratings.dimensions import dimensions_for
from ratings.services.reviews import (
    PHOTOS_PER_REVIEW,
    REASON_MAX_CHARS,
    TEXT_MAX_CHARS,
)

# "★★★★☆ 4": the digit is what a screen reader says clearly, in any language.
STARS = [(n, f"{'★' * n}{'☆' * (5 - n)} {n}") for n in range(5, 0, -1)]


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several files in one input; the service checks each one's content and size."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleImageInput(attrs={"accept": "image/png,image/jpeg"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        files = data if isinstance(data, (list, tuple)) else [data]
        if len(files) > PHOTOS_PER_REVIEW:
            raise forms.ValidationError(
                _("最多上传 %(n)d 张图片。") % {"n": PHOTOS_PER_REVIEW}, code="too_many_photos"
            )
        return [super(MultipleImageField, self).clean(f, initial) for f in files]


def _stars(label) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label, choices=STARS, coerce=int, widget=forms.RadioSelect, required=True
    )


class ReviewForm(forms.Form):
    """An overall rating, one rating per dimension of the booking's domain, text and photos."""

    overall = _stars(_("总体评价"))
    text = forms.CharField(
        label=_("评价内容"),
        required=False,
        max_length=TEXT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("选填，最多 1000 字。请勿填写电话、微信等个人信息。"),
    )
    photos = MultipleImageField(
        label=_("图片"),
        required=False,
        help_text=_("选填，最多 6 张 PNG 或 JPEG 图片，每张不超过 5 MB。"),
    )

    def __init__(self, *args, domain: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.dimension_codes = []
        text = self.fields.pop("text")
        photos = self.fields.pop("photos")
        for code, label in dimensions_for(domain):
            self.fields[f"dim_{code}"] = _stars(label)
            self.dimension_codes.append(code)
        self.fields["text"] = text
        self.fields["photos"] = photos

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {
            "overall": data["overall"],
            "dimensions": {code: data[f"dim_{code}"] for code in self.dimension_codes},
            "text": data["text"],
            "photos": data["photos"],
        }


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("回复内容"),
        max_length=TEXT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReportForm(forms.Form):
    reason = forms.CharField(label=_("举报原因"), max_length=REASON_MAX_CHARS)


class ModerationForm(forms.Form):
    action = forms.ChoiceField(
        label=_("处理方式"),
        choices=[
            ("publish", _("发布")),
            ("hide", _("隐藏")),
            ("restore", _("恢复发布")),
        ],
    )
    reason = forms.CharField(
        label=_("处理原因"),
        max_length=REASON_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
