"""What finds a volunteer activity in the public search, by weight (portal.search segments the
text and adds its pinyin). A pure function of plain values, so the data migration that filled
the first vectors uses it too."""

from __future__ import annotations

from django.utils import translation

from portal.search import weighted_vector
from volunteers.models import ActivityDomain


def activity_search_vector(
    *,
    title: str,
    organisation_name: str,
    description: str,
    address: str,
    domain: str,
    position_names: list[str],
):
    """The tsvector expression of an activity: its title ranks first, then the organisation's
    name, the description, and last the place, the domain (助老) and the positions' names."""
    # The index holds the Chinese labels whatever language the publisher's request used.
    with translation.override(None):
        domain_label = str(ActivityDomain(domain).label) if domain in ActivityDomain.values else ""
    return weighted_vector(
        {
            "A": [title],
            "B": [organisation_name],
            "C": [description],
            "D": [address, domain_label, *position_names],
        }
    )
