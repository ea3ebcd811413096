"""In the browser: the organiser opens a time-bank request and sees the person to serve by
masked name; one click on 查看姓名和联系电话 (a POST, swapped in by htmx) shows the name and
phone. No page breaks the Content-Security-Policy."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in

# A real transaction (the live server reads what the test wrote); the reference data
# (divisions) is loaded again by the conftest for such tests.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_organiser_asks_for_the_contact_of_the_person_to_serve(
    page, live_server, shot, csp_violations, password
):
    from django.utils import timezone

    from portal.audit.models import AuditEntry
    from tests.accounts.factories import UserFactory
    from tests.volunteers.factories import banked, organisation, timebank_service, volunteer
    from volunteers.services import redemption_create

    boss = UserFactory(name="张伟")
    org = organisation(boss, name="幸福里志愿服务队")
    resident = UserFactory(name="王芳", phone="+8613800000101")
    vol = volunteer(resident)
    banked(vol, hours=3, org=org)
    redemption = redemption_create(
        user=resident,
        service=timebank_service(org, price_minutes=60),
        wanted_on=timezone.localdate() + dt.timedelta(days=1),
        note="下午两点后方便，电话 13912345678",
    )

    log_in(page, live_server.url, boss.phone.removeprefix("+86"), password)
    page.goto(f"{live_server.url}/volunteers/timebank/redemptions/{redemption.pk}/")
    main = page.locator("main")
    expect(main).to_contain_text("王*")
    expect(main).to_contain_text("139****5678")
    expect(main).not_to_contain_text("王芳")
    shot("95-timebank-redemption-masked")

    page.get_by_role("button", name="查看姓名和联系电话").click()

    expect(page.locator("#redemption-contact")).to_contain_text("王芳")
    expect(page.locator("#redemption-contact")).to_contain_text("13800000101")
    assert page.url.endswith(f"/redemptions/{redemption.pk}/")  # swapped in place
    shot("96-timebank-redemption-contact")
    assert AuditEntry.objects.filter(action="personal_data.read", actor=boss).count() == 1
    assert csp_violations == []
