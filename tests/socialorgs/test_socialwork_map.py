"""The social-work map: a server-drawn SVG coordinate plot (no tiles, no script, no inline
style) of the city's districts and the active projects, the home and the search radius, with
an accessible list beside it; filters by target group and distance."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from socialorgs.selectors.socialwork import map_plot
from tests.services.factories import AddressFactory
from tests.socialorgs.factories_socialwork import WUHOU, north_of, project, social_org

pytestmark = pytest.mark.django_db
URL = reverse("socialorgs:socialwork-map")


@pytest.fixture
def org():
    return social_org()


def _svg(page: str) -> str:
    return re.search(r"<svg class=\"sw-map\".*?</svg>", page, re.S).group(0)


def _labels(page: str) -> str:
    return re.search(r"<ul class=\"sw-labels\".*?</ul>", page, re.S).group(0)


def test_the_map_plots_districts_and_projects_as_links(client, org):
    shown = project(org, title="长者关爱社工服务")
    project(org, title="尚未发布的项目", status="draft")

    page = client.get(URL).content.decode()
    svg = _svg(page)

    # The districts' seats are drawn, their names laid over the drawing.
    assert svg.count('class="sw-district-seat"') >= 4
    assert "武侯区" in _labels(page)
    assert "锦江区" in _labels(page)
    assert f'href="{reverse("socialorgs:project-detail", args=[shown.pk])}"' in svg
    assert svg.count('class="sw-project-dot"') == 1
    assert "尚未发布的项目" not in page
    # The list beside the plot says the same in words.
    assert "长者关爱社工服务" in page
    assert org.name in page


def test_the_page_has_no_inline_style_or_script(client, org):
    project(org)

    page = client.get(URL, {"division": "510107", "distance": 5}).content.decode()

    assert not re.search(r"\sstyle=", page)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert "socialorgs-socialwork.css" in page


def test_from_a_district_the_radius_and_the_nearby_projects(client, org):
    near = project(org, at=north_of(WUHOU, 1), title="一公里外的项目")
    project(org, at=north_of(WUHOU, 8), title="八公里外的项目")

    page = client.get(URL, {"division": "510107", "distance": 3}).content.decode()
    svg = _svg(page)

    assert 'class="sw-home"' in svg
    # 3 km on a plot 12 km wide drawn 1000 units wide, around the home in its middle.
    assert 'class="sw-radius" cx="500.0" cy="500.0" r="250.0"' in svg
    # 武侯区's name over its seat, the home: the middle of the drawing (above the scale strip).
    assert '<li class="sw-label sw-x-50 sw-y-47">武侯区</li>' in _labels(page)
    assert near.title in page
    assert "八公里外的项目" not in page
    assert "约 1.0 公里" in page


def test_a_resident_starts_from_a_saved_address(client, wang_fang, org):
    home = AddressFactory(owner=wang_fang, label="我家")
    project(org, at=north_of(WUHOU, 1))
    client.force_login(wang_fang)

    page = client.get(URL, {"address": home.pk, "distance": 5}).content.decode()

    assert "出发点：我家" in page
    assert 'class="sw-home"' in page


def test_someone_elses_address_is_not_an_option(client, wang_fang, daughter):
    theirs = AddressFactory(owner=daughter, label="女儿家")
    client.force_login(wang_fang)

    page = client.get(URL, {"address": theirs.pk}).content.decode()

    assert "女儿家" not in page
    assert 'class="sw-home"' not in page


def test_the_target_group_filter(client, org):
    project(org, title="长者服务", target_group="elderly")
    project(org, title="儿童服务", target_group="children")

    page = client.get(URL, {"target_group": "children"}).content.decode()

    assert "儿童服务" in page
    assert "长者服务" not in page


def test_a_bad_filter_is_shown_not_a_server_error(client):
    response = client.get(URL, {"distance": "999", "target_group": "pets"})

    assert response.status_code == 200
    assert "error" in response.content.decode()


def test_the_number_of_queries_does_not_grow_with_the_projects(client, org):
    project(org)
    with CaptureQueriesContext(connection) as few:
        client.get(URL, {"division": "510107", "distance": 50})
    for km in range(1, 8):
        project(social_org(f"社工机构{km}"), at=north_of(WUHOU, km))
    with CaptureQueriesContext(connection) as many:
        client.get(URL, {"division": "510107", "distance": 50})

    assert len(many) == len(few)


def test_the_plot_is_in_kilometres_around_the_home(org):
    from portal.accounts.models import Division

    city = Division.objects.get(code="510100")
    north = project(org, at=north_of(WUHOU, 2))
    north.distance_km = 2.0

    plot = map_plot(city=city, districts=[], projects=[north], home=WUHOU, radius_km=5)

    # 5 km × 1.25 each way around the home: 12.5 km on 1000 units, 80 units a kilometre.
    assert plot["home"] == {"x": "500.0", "y": "500.0"}
    dot = plot["dots"][0]
    assert float(dot["x"]) == pytest.approx(500, abs=1)
    assert float(dot["y"]) == pytest.approx(340, abs=2)  # north is up
    assert plot["radius"] == "400.0"
    assert plot["view_box"] == "0 0 1000.0 1060.0"  # and a strip for the scale bar
    assert (plot["scale_km"], plot["scale_x2"]) == (2, "190.0")
