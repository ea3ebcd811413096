import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from providers.models import Provider
from services.services import listings
from services.services.visibility import listings_refresh_visibility
from tests.services.factories import licensed_listing

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _png(name="p.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def test_photos_are_checked_stored_privately_and_served_with_the_listing(
    client, provider_a, staff_a, staff_b
):
    listing = licensed_listing(provider_a)
    listings_refresh_visibility()
    photo = listings.listing_photo_add(listing=listing, actor=staff_a, image=_png())
    assert photo.image.name.startswith("private/listings/")

    url = reverse("services:photo", args=[photo.pk])
    assert client.get(url).status_code == 200  # the listing is public
    Provider.objects.filter(pk=provider_a.pk).update(status="suspended")
    listings_refresh_visibility(provider=provider_a)
    assert client.get(url).status_code == 404
    client.force_login(staff_b)
    assert client.get(url).status_code == 404
    client.force_login(staff_a)
    assert client.get(url).status_code == 200


def test_a_photo_that_is_not_an_image_is_refused(provider_a, staff_a):
    listing = licensed_listing(provider_a)
    with pytest.raises(listings.ListingError) as exc:
        listings.listing_photo_add(
            listing=listing,
            actor=staff_a,
            image=SimpleUploadedFile("x.png", b"%PDF-1.4", content_type="image/png"),
        )
    assert exc.value.field == "image"
    assert not listing.photos.exists()


def test_at_most_nine_photos(provider_a, staff_a):
    listing = licensed_listing(provider_a)
    for _ in range(9):
        listings.listing_photo_add(listing=listing, actor=staff_a, image=_png())
    with pytest.raises(listings.ListingError, match="最多 9 张"):
        listings.listing_photo_add(listing=listing, actor=staff_a, image=_png())


def test_staff_of_b_cannot_add_photos_to_as_listing(client, provider_a, staff_b):
    listing = licensed_listing(provider_a)
    client.force_login(staff_b)
    response = client.post(reverse("services:photo-new", args=[listing.pk]), {"image": _png()})
    assert response.status_code == 404
    assert not listing.photos.exists()


def test_a_logo_is_an_image_and_served_for_public_providers(client, provider_a, staff_a):
    from providers.services import registration
    from providers.services.review import ProviderError

    with pytest.raises(ProviderError) as exc:
        registration.provider_update(
            provider=provider_a,
            actor=staff_a,
            logo=SimpleUploadedFile("l.png", b"GIF89a", "image/png"),
        )
    assert exc.value.field == "logo"
    registration.provider_update(provider=provider_a, actor=staff_a, logo=_png("logo.png"))
    response = client.get(reverse("providers:logo", args=[provider_a.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
