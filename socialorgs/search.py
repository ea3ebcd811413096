"""What finds a social organisation in 一网通查, by weight (portal.search segments the text and
adds its pinyin, full and initials). A pure function of plain values, like volunteers.search."""

from __future__ import annotations

from django.utils import translation

from portal.search import weighted_vector
from socialorgs.models import OrgDomain


def org_search_vector(
    *, name: str, credit_code: str, business_scope: str, address: str, domain: str
):
    """The tsvector expression of an organisation: its name ranks first (`shgz` and
    `shehuigongzuo` find 社会工作服务中心), then its credit code, its business scope, and last
    its address and domain (养老服务)."""
    # The index holds the Chinese labels whatever language the official's request used.
    with translation.override(None):
        domain_label = str(OrgDomain(domain).label) if domain in OrgDomain.values else ""
    return weighted_vector(
        {
            "A": [name],
            "B": [credit_code],
            "C": [business_scope],
            "D": [address, domain_label],
        }
    )
