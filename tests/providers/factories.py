"""factory_boy factories for providers."""

import datetime as dt

import factory
from django.core.files.base import ContentFile

from portal.privacy import id_number_digest
from providers.demo import demo_credit_code
from providers.models import Branch, Certificate, Licence, Membership, Provider, StaffMember
from tests.accounts.factories import ProviderStaffFactory

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provider

    name = factory.Sequence(lambda n: f"测试服务机构{n}")
    division_id = "510107"
    credit_code = factory.LazyAttributeSequence(
        lambda o, n: demo_credit_code(o.division_id, 500_000 + n)
    )
    domains = factory.LazyFunction(lambda: ["eldercare"])
    legal_representative = "张三"
    contact_phone = "028-85551234"
    status = Provider.Status.APPROVED


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(ProviderStaffFactory)
    provider = factory.SubFactory(ProviderFactory)
    role = Membership.Role.OWNER


class BranchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Branch

    provider = factory.SubFactory(ProviderFactory)
    name = factory.Sequence(lambda n: f"服务网点{n}")
    address = "武侯区浆洗街街道洗面桥横街9号"
    division_id = factory.LazyAttribute(lambda o: o.provider.division_id)
    latitude = "30.642000"
    longitude = "104.043200"
    opening_hours = "周一至周日 08:00–20:00"


class LicenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Licence

    provider = factory.SubFactory(ProviderFactory)
    kind = "eldercare_filing"
    number = factory.Sequence(lambda n: f"川民养备{n:06d}")
    issuer = "成都市武侯区民政局"
    valid_from = dt.date(2024, 1, 1)
    valid_until = dt.date(2030, 12, 31)
    scan = factory.LazyFunction(lambda: ContentFile(PDF_BYTES, name="licence.pdf"))
    scan_content_type = "application/pdf"


class StaffMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffMember

    provider = factory.SubFactory(ProviderFactory)
    name = "王小芳"
    gender = StaffMember.Gender.FEMALE
    role = StaffMember.Role.CAREGIVER
    id_number_hash = factory.Sequence(lambda n: id_number_digest(f"51010719800101{n:04d}"))
    id_number_masked = "5****************1"
    years_of_experience = 5
    languages = factory.LazyFunction(lambda: ["普通话", "四川话"])


class CertificateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certificate

    staff = factory.SubFactory(StaffMemberFactory)
    kind = Certificate.Kind.ELDERCARE_WORKER
    number = factory.Sequence(lambda n: f"CHN-YL-{n:08d}")
    issuer = "四川省人力资源和社会保障厅"
    level = "四级"
    expires_on = dt.date(2030, 1, 1)
