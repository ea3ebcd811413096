"""One way to write minutes as hours: one decimal, rounded down, on pages, exports and
certificates alike."""

from __future__ import annotations

import pytest
from django.template import Context, Template

from volunteers.formatting import hours_label


@pytest.mark.parametrize(
    ("minutes", "label"),
    [
        (None, "0.0"),
        (0, "0.0"),
        (5, "0.0"),
        (6, "0.1"),
        (95, "1.5"),  # 1.58 hours: never shown as 1.6 (96 minutes)
        (96, "1.6"),
        (150, "2.5"),
        (600, "10.0"),
        (-95, "-1.5"),  # a statement's outflow, rounded towards zero like its inflow
        (-5, "0.0"),
    ],
)
def test_minutes_are_written_as_hours_rounded_down(minutes, label):
    assert hours_label(minutes) == label


def test_the_template_filter_writes_the_same():
    template = Template("{% load volunteer_tags %}{{ m|hours }}")
    assert template.render(Context({"m": 95})) == "1.5"
