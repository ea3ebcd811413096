"""Template filters that mask personal data: {{ user.phone|mask_phone }}."""

from django import template

from portal import privacy

register = template.Library()

register.filter("mask_phone", privacy.mask_phone)
register.filter("mask_name", privacy.mask_name)
register.filter("mask_id_number", privacy.mask_id_number)
register.filter("mask_address", privacy.mask_address)
