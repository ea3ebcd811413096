"""A volunteer's data in the personal-data export, and what closing the account does to it."""

from __future__ import annotations

import pytest

from portal.accounts import personal_data
from portal.accounts.services import user_erase
from tests.accounts.factories import UserFactory
from tests.volunteers.factories import activity, organisation, volunteer
from volunteers.models import Position, Signup, Volunteer
from volunteers.services import signup_create, signup_decide

pytestmark = pytest.mark.django_db


def test_the_export_has_the_volunteer_record_and_sign_ups(wang_fang):
    record = volunteer(wang_fang)
    act = activity(organisation())
    signup_create(activity=act, user=wang_fang, position_id=act.positions.get().pk, note="周末可")

    section = personal_data.export_for(wang_fang)["sections"]["volunteering"]

    assert section["number"] == record.number
    assert section["real_name"] == "王芳"
    assert [s["note"] for s in section["signups"]] == ["周末可"]
    assert personal_data.export_for(UserFactory())["sections"]["volunteering"] is None


def test_closing_the_account_frees_the_place_and_pseudonymises_the_record(wang_fang, password):
    boss = UserFactory()
    act = activity(organisation(boss), positions=[("陪伴", 1, [])])
    position = act.positions.get()
    record = volunteer(wang_fang)
    mine = signup_create(activity=act, user=wang_fang, position_id=position.pk)
    signup_decide(signup=mine, actor=boss, accept=True)
    waiting = signup_create(activity=act, user=volunteer().user, position_id=position.pk)

    user_erase(user=wang_fang, password=password)

    erased = Volunteer.objects.get(pk=record.pk)
    assert (erased.real_name, erased.phone, erased.id_number_masked) == ("已注销", "", "")
    assert erased.number == record.number
    assert Signup.objects.get(pk=mine.pk).status == Signup.Status.CANCELLED
    assert Signup.objects.get(pk=waiting.pk).status == Signup.Status.ACCEPTED
    assert Position.objects.get(pk=position.pk).accepted == 1
    assert not Volunteer.objects.filter(id_number_hash=record.id_number_hash).exists()
