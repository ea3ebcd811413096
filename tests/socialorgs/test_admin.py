"""The socialorgs admin reads only, and shows none of the personal data whose reads are
audited elsewhere: the legal representative, donors' names and accounts, beneficiaries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.socialorgs import factories_charity as charity
from tests.socialorgs.factories import socialorg

pytestmark = pytest.mark.django_db


def test_an_organisations_admin_page_shows_no_legal_representative(client, platform_admin):
    org = socialorg(legal_rep_name="欧阳法代")
    client.force_login(platform_admin)

    for url in (
        reverse("admin:socialorgs_socialorganisation_changelist"),
        reverse("admin:socialorgs_socialorganisation_change", args=[org.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert "欧阳法代" not in response.content.decode()
    # Nothing can be changed here: the services keep the search vector, credit and audit.
    change = reverse("admin:socialorgs_socialorganisation_change", args=[org.pk])
    client.post(change, {"name": "改名", "status": "revoked"})
    org.refresh_from_db()
    assert org.name != "改名"
    assert client.get(reverse("admin:socialorgs_socialorganisation_add")).status_code == 403


def test_a_chain_entrys_admin_page_shows_what_the_public_sees(client, platform_admin):
    project = charity.project(charity.charity())
    entry = charity.donate(project, name="诸葛匿名", anonymous=True)
    client.force_login(platform_admin)

    page = client.get(reverse("admin:socialorgs_chainentry_change", args=[entry.pk]))

    assert page.status_code == 200
    body = page.content.decode()
    assert "诸葛匿名" not in body
    assert entry.receipt_code not in body
    assert "匿名爱心人士" in body
