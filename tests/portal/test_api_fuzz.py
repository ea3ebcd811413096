"""Fuzz every API operation against the project's own OpenAPI schema (schemathesis).

The schema is the one drf-spectacular serves at /api/schema/, generated in-process; requests go
through the Django WSGI application in-process too, so every write lands in the test's
transaction and is rolled back after it. Each generated request is sent once per role:
anonymous, a resident, a provider's owner, an official and a platform admin, each with an API
token. Path parameters are drawn either from the generated values or from seeded objects the
roles own, so requests reach real rows and not only 404s.

Checks: no 5xx, the status code is one the schema declares, the content type is the declared one
and the body matches the declared schema. `FUZZ_EXAMPLES` raises the example count locally.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Iterator

import pytest
import schemathesis
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import TestCase, override_settings
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from rest_framework.throttling import SimpleRateThrottle
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
ROLES = ("anonymous", "resident", "provider", "official", "admin")


def _served_schema() -> dict:
    """The document /api/schema/ serves, as JSON (rendered by the same renderer)."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document, renderer_context={}))


# The coverage phase (boundary values of every parameter, all in the explicit phase) is not
# bounded by max_examples; the generated examples are, positive and negative alike.
CONFIG = schemathesis.Config.from_dict({"phases": {"coverage": {"enabled": False}}})
schema = schemathesis.openapi.from_dict(_served_schema(), config=CONFIG)
schema.app = WSGIHandler()

# Seeded path values by path template; the module's world fixture fills it (primary keys differ
# between runs, the derandomized draw from this list does not).
SEEDED: dict[str, list[dict]] = {}


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    seeded = SEEDED.get(context.operation.path, [])
    if not seeded:
        return st.just(path_parameters)
    return st.sampled_from([path_parameters, *seeded])


def _hour(*, days: int) -> dt.datetime:
    start = timezone.now() + dt.timedelta(days=days)
    return start.replace(minute=0, second=0, microsecond=0)


@pytest.fixture
def _in_process_wsgi():
    """Django closes "old" connections around each request; inside the test's transaction that
    would close the connection the test runs on (the test client disconnects them likewise)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def _no_throttling(monkeypatch, settings):
    rates = dict.fromkeys(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "100000/minute")
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[dict]:
    """The personas (as in tests/conftest.py) with the objects they own, and each role's auth
    headers. Built once for the module inside a transaction that is rolled back at its end; each
    test runs in a savepoint inside it (the `db` fixture), so one operation's writes never reach
    the next."""
    media = tmp_path_factory.mktemp("fuzz")
    with (
        override_settings(MEDIA_ROOT=media / "media", OPENDATA_ROOT=media / "opendata"),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        data = _build_world()
        yield data
        transaction.set_rollback(True)
    SEEDED.clear()


def _build_world() -> dict:
    from openData.models import Dataset
    from portal.accounts.models import User
    from portal.accounts.services import token_issue
    from ratings.models import Review
    from tests.accounts.factories import OfficialFactory, UserFactory
    from tests.matching.factories import NeedFactory, offer, proposals
    from tests.providers.factories import (
        CertificateFactory,
        MembershipFactory,
        ProviderFactory,
        StaffMemberFactory,
    )
    from tests.ratings.factories import (
        CreditAppealFactory,
        CreditListEntryFactory,
        InspectionFactory,
        completed_booking,
        file_complaint,
        review_row,
    )
    from tests.services.factories import (
        AddressFactory,
        DependantFactory,
        SlotFactory,
        book,
        public_listing,
    )

    wang_fang = UserFactory(name="王芳")
    provider_a = ProviderFactory(name="幸福里养老服务中心", division_id="510107")
    provider_b = ProviderFactory(name="小橡树托育中心", division_id="510104", domains=["childcare"])
    staff_a = MembershipFactory(provider=provider_a, user__name="张伟").user
    official_wuhou = OfficialFactory(name="赵敏", jurisdiction_id="510107")
    platform_admin = UserFactory(
        role=User.Role.ADMIN, is_staff=True, is_superuser=True, name="管理员"
    )

    listing = public_listing(provider_a)
    slot = SlotFactory(listing=listing, starts_at=_hour(days=5))
    booking = book(wang_fang, slot)
    done = completed_booking(wang_fang, provider_a, staff_a, listing=listing)
    review = review_row(done, overall=4, status=Review.Status.PUBLISHED)
    complaint = file_complaint(wang_fang, provider=provider_a)
    inspection = InspectionFactory(provider=provider_a, inspector=official_wuhou)
    appeal = CreditAppealFactory(event__provider=provider_a, submitted_by=staff_a)
    entry = CreditListEntryFactory(provider=provider_b, created_by=official_wuhou)
    member = StaffMemberFactory(provider=provider_a)
    certificate = CertificateFactory(staff=member)
    address = AddressFactory(owner=wang_fang)
    dependant = DependantFactory(owner=wang_fang)
    need = NeedFactory(resident=wang_fang)
    candidate = proposals(need, [offer(provider_a, days=4)])[0]

    # Volunteers: 王芳 registered and accepted for provider A's team's activity; its owner is
    # staff_a; a second team is under review; an hour record waits for confirmation.
    from tests.volunteers import factories as vol
    from volunteers.services import signup_create, signup_decide

    volunteer_a = vol.volunteer(wang_fang)
    vol_org = vol.organisation(staff_a)
    vol_pending = vol.organisation(staff_a, status="submitted")
    vol_activity = vol.activity(vol_org)
    vol_signup = signup_create(
        activity=vol_activity, user=wang_fang, position_id=vol_activity.positions.get().pk
    )
    signup_decide(signup=vol_signup, actor=staff_a, accept=True)
    vol_hours = vol.hour_record(vol.activity(vol_org, starts_in=dt.timedelta(days=-2)), volunteer_a)
    vol_dispute = vol.dispute(vol_hours)
    vol_certificate = vol.certificate(volunteer_a)
    # The time bank: her eldercare hours banked, a service of the team, her request for it.
    from volunteers.models import TimeBankAccount
    from volunteers.services import redemption_create

    vol.banked(volunteer_a, org=vol_org, days_ago=5)
    tb_account = TimeBankAccount.objects.get(kind="personal", volunteer=volunteer_a)
    tb_service = vol.timebank_service(vol_org)
    tb_redemption = redemption_create(
        user=wang_fang, service=tb_service, wanted_on=dt.date.today() + dt.timedelta(days=2)
    )

    # Charity: staff_a owns a charity with a project (a donation and a disbursement on its
    # chain); 王芳 may donate to it online, and pledged 20 yuan (staff_a confirms or cancels).
    from tests.socialorgs import factories_charity as charity_factories

    charity_project = charity_factories.project(charity_factories.charity(staff_a))
    charity_factories.donate(charity_project, "100.00", anonymous=True)
    charity_factories.disburse(charity_project, "40.00")
    charity_pledge = charity_factories.pledge(charity_project, wang_fang, "20.00")

    # Social organisations, the registry: staff_a owns one in 武侯区 (official_wuhou is its
    # 民政), with last year's report submitted and a 4A evaluation.
    from tests.socialorgs.factories import socialorg
    from tests.socialorgs.factories_registry import evaluation as so_evaluation
    from tests.socialorgs.factories_registry import report as so_report

    so_org = socialorg(staff_a, division_id="510107")
    so_report_a = so_report(so_org, dt.date.today().year - 1, status="submitted")
    so_evaluation_a = so_evaluation(
        so_org, grade=4, awarded_on=dt.date.today(), official=official_wuhou
    )

    # Social organisations, credit: so_org on 活动异常名录 (official_wuhou, its 民政, may
    # remove it) and an exposure in 武侯区.
    from socialorgs.services.credit import illegal_org_expose
    from tests.socialorgs.factories_credit import listed as so_listed

    so_entry = so_listed(official_wuhou, so_org)
    so_illegal = illegal_org_expose(
        actor=official_wuhou,
        name="武侯国学促进总会",
        description="未经登记发展会员。",
        division="510107",
        basis="《取缔非法民间组织暂行办法》第二条",
        exposed_on=dt.date.today(),
    )

    # Social work: so_org runs an active and a draft project and has a social worker; 王芳 has
    # a proposal (elderly), an accepted case (disabled) and a completed one (children); a
    # draft catalogue item of 武侯区 for official_wuhou.
    from tests.socialorgs import factories_socialwork as sw

    sw_project = sw.project(so_org)
    sw_draft = sw.project(so_org, status="draft")
    sw_worker = sw.worker(so_org)
    sw_proposal = sw.service_request(wang_fang, status="proposed", project=sw_project)
    sw_case = sw.accepted(wang_fang, project_=sw_project, target_group="disabled")
    sw_done = sw.completed(wang_fang, project_=sw_project, target_group="children")
    sw_item = sw.catalogue_item(published=False, official=official_wuhou)
    # A held review for official_wuhou to moderate, a published one for 王芳 to report.
    sw_held = sw.review(sw_project)
    sw_published = sw.review(sw_project, status="published")

    # The built-in catalogue (loaded by migrations): one open and one conditional dataset.
    datasets = [
        {"slug": Dataset.objects.filter(access=access).order_by("slug").first().slug}
        for access in (Dataset.Access.OPEN, Dataset.Access.CONDITIONAL)
    ]

    def ids(*objs, name="id"):
        return [{name: str(o.pk)} for o in objs]

    v1 = "/api/v1"
    SEEDED.clear()
    SEEDED.update(
        {
            f"{v1}/providers/{{id}}/": ids(provider_a, provider_b),
            f"{v1}/bookings/{{id}}/": ids(booking, done),
            f"{v1}/complaints/{{id}}/": ids(complaint),
            f"{v1}/inspections/{{id}}/": ids(inspection),
            f"{v1}/listings/{{id}}/": ids(listing),
            f"{v1}/me/addresses/{{id}}/": ids(address),
            f"{v1}/me/dependants/{{id}}/": ids(dependant),
            f"{v1}/needs/{{id}}/": ids(need),
            f"{v1}/candidates/{{id}}/": ids(candidate),
            f"{v1}/reviews/{{id}}/": ids(review),
            f"{v1}/listings/{{listing_id}}/": ids(listing, name="listing_id"),
            f"{v1}/certificates/{{certificate_id}}/": ids(certificate, name="certificate_id"),
            f"{v1}/staff/{{staff_id}}/": ids(member, name="staff_id"),
            f"{v1}/credit/appeals/{{appeal_id}}/": ids(appeal, name="appeal_id"),
            f"{v1}/credit/lists/{{entry_id}}/": ids(entry, name="entry_id"),
            f"{v1}/categories/{{code}}/": [{"code": "elder_meals"}],
            f"{v1}/divisions/{{code}}/": [{"code": "510107"}],
            f"{v1}/payments/callbacks/{{gateway}}/": [{"gateway": "sandbox"}],
            f"{v1}/open-data/datasets/{{slug}}/": datasets,
            "/api/open/v1/datasets/{slug}/": datasets,
            f"{v1}/volunteers/{{id}}/": ids(volunteer_a),
            f"{v1}/volunteers/organisations/{{id}}/": ids(vol_org, vol_pending),
            f"{v1}/volunteers/activities/{{id}}/": ids(vol_activity),
            f"{v1}/volunteers/signups/{{id}}/attendance/": ids(vol_signup),
            f"{v1}/volunteers/signups/{{id}}/cancel/": ids(vol_signup),
            f"{v1}/volunteers/signups/{{id}}/decision/": ids(vol_signup),
            f"{v1}/volunteers/hours/{{id}}/confirm/": ids(vol_hours),
            f"{v1}/volunteers/hours/{{id}}/disputes/": ids(vol_hours),
            f"{v1}/volunteers/disputes/{{id}}/resolution/": ids(vol_dispute),
            f"{v1}/volunteers/me/certificates/{{id}}/pdf/": ids(vol_certificate),
            f"{v1}/volunteers/me/certificates/{{id}}/revoke/": ids(vol_certificate),
            f"{v1}/volunteers/timebank/accounts/{{id}}/statement/": ids(tb_account),
            f"{v1}/volunteers/timebank/services/{{id}}/": ids(tb_service),
            f"{v1}/volunteers/timebank/redemptions/{{id}}/fulfil/": ids(tb_redemption),
            f"{v1}/volunteers/timebank/redemptions/{{id}}/cancel/": ids(tb_redemption),
            # …/orgs/{credit_code}/ and the operations below it (status, reports, ...).
            f"{v1}/socialorgs/orgs/{{credit_code}}/": [{"credit_code": so_org.credit_code}],
            f"{v1}/socialorgs/reports/{{id}}/review/": ids(so_report_a),
            f"{v1}/socialorgs/evaluations/{{id}}/revoke/": ids(so_evaluation_a),
            f"{v1}/socialorgs/credit/illegal/{{id}}/status/": ids(so_illegal),
            f"{v1}/socialorgs/credit/list-entries/{{id}}/remove/": ids(so_entry),
            f"{v1}/socialorgs/charity/{{filing_number}}/": [
                {"filing_number": charity_project.filing_number}
            ],
            **{
                f"{v1}/socialorgs/charity/{{filing_number}}/pledges/{{pledge_id}}/{action}/": [
                    {
                        "filing_number": charity_project.filing_number,
                        "pledge_id": str(charity_pledge.pk),
                    }
                ]
                for action in ("confirm", "cancel")
            },
            f"{v1}/socialorgs/socialwork/projects/{{id}}/": ids(sw_project, sw_draft),
            f"{v1}/socialorgs/socialwork/organisations/{{credit_code}}/": [
                {"credit_code": so_org.credit_code}
            ],
            f"{v1}/socialorgs/socialwork/workers/{{id}}/": ids(sw_worker),
            f"{v1}/socialorgs/socialwork/requests/{{id}}/": ids(sw_proposal, sw_done),
            f"{v1}/socialorgs/socialwork/org-requests/{{id}}/": ids(sw_case, sw_proposal),
            f"{v1}/socialorgs/socialwork/official/catalogue/{{id}}/publish/": ids(sw_item),
            f"{v1}/socialorgs/socialwork/official/catalogue/{{id}}/withdraw/": ids(sw_item),
            f"{v1}/socialorgs/socialwork/official/reviews/{{id}}/moderate/": ids(
                sw_held, sw_published
            ),
            f"{v1}/socialorgs/socialwork/reviews/{{id}}/report/": ids(sw_published, sw_held),
        }
    )
    # The operations below a seeded path (…/{id}/cancel/) take the same values, where they
    # have no other path parameters.
    for template, values in list(SEEDED.items()):
        for path in schema.raw_schema["paths"]:
            params = set(re.findall(r"{(\w+)}", path))
            if path != template and path.startswith(template) and params == set(values[0]):
                SEEDED[path] = values

    tokens = {
        "resident": token_issue(user=wang_fang).key,
        "provider": token_issue(user=staff_a).key,
        "official": token_issue(user=official_wuhou).key,
        "admin": token_issue(user=platform_admin).key,
    }
    headers = {role: {"Authorization": f"Token {key}"} for role, key in tokens.items()}
    headers["anonymous"] = {}
    return {"headers": headers}


@pytest.mark.usefixtures("_in_process_wsgi", "_no_throttling")
@schema.parametrize()
@settings(
    max_examples=FUZZ_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)
def test_every_operation_answers_as_its_schema_says_for_every_role(case, world, db):
    for role in ROLES:
        with TestCase.captureOnCommitCallbacks(execute=True):
            response = case.call(headers=world["headers"][role])
        case.validate_response(response, checks=CHECKS)


@pytest.mark.django_db
def test_the_fuzzed_schema_is_the_one_the_api_serves(client):
    served = client.get("/api/schema/?format=json").json()

    assert served == schema.raw_schema
    operations = [op for path in served["paths"].values() for op in path]
    assert len(operations) >= 100  # all of them are fuzzed: one test each above


def test_throttled_operations_document_429_with_retry_after():
    """Throttling is switched off while fuzzing; the schema still says where it applies."""
    unthrottled = "/api/v1/payments/callbacks/{gateway}/"  # the payment gateway's callbacks
    for path, operations in schema.raw_schema["paths"].items():
        for method, operation in operations.items():
            too_many = operation["responses"].get("429")
            if path == unthrottled:
                assert too_many is None
            elif path.startswith(("/api/v1/", "/api/open/v1/hsds/")):
                assert too_many, (method, path)
                assert "Retry-After" in too_many["headers"], (method, path)


@pytest.mark.django_db
@pytest.mark.usefixtures("_in_process_wsgi")
def test_a_signed_gateway_callback_answers_as_the_schema_says():
    """The one write the fuzzer cannot reach: it needs the gateway's signature."""
    from services.gateways.sandbox import SandboxGateway
    from tests.accounts.factories import UserFactory
    from tests.providers.factories import ProviderFactory
    from tests.services.factories import SlotFactory, book, public_listing

    slot = SlotFactory(listing=public_listing(ProviderFactory()))
    payment = book(UserFactory(), slot).payments.get()
    body, signature = SandboxGateway().charge(
        reference=payment.gateway_reference, amount_fen=payment.amount_fen
    )
    operation = schema["/api/v1/payments/callbacks/{gateway}/"]["POST"]
    case = operation.Case(path_parameters={"gateway": "sandbox"}, media_type="application/json")
    case.body = json.loads(body)
    headers = {"X-Sandbox-Signature": signature, "Content-Type": "application/json"}

    response = case.call(headers=headers, data=body)

    assert response.status_code == 200
    case.validate_response(response, checks=CHECKS)
