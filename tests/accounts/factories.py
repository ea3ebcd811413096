"""factory_boy factories for accounts."""

import factory

from portal.accounts.models import User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    phone = factory.Sequence(lambda n: f"+86139{n:08d}")
    name = factory.Faker("name", locale="zh_CN")
    role = User.Role.RESIDENT
    password = factory.PostGenerationMethodCall("set_password", "Portal-test-pw-1")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OfficialFactory(UserFactory):
    role = User.Role.OFFICIAL
    jurisdiction_id = "510107"
    department = User.Department.CIVIL_AFFAIRS


class ProviderStaffFactory(UserFactory):
    role = User.Role.PROVIDER_STAFF
