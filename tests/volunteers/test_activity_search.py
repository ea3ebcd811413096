"""Activity search like services' listings (portal.search): Chinese words, full pinyin and
initials find an activity; nothing else matches; the title ranks first; the filters still
narrow a text search; publishing, the admin's reindex and the demo write the vectors; an
over-long query is a 400 naming `q`."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tests.accounts.factories import UserFactory
from tests.volunteers.factories import activity, organisation
from volunteers.models import Activity, Organisation
from volunteers.selectors import activity_search
from volunteers.services import activities_reindex, activity_publish

pytestmark = pytest.mark.django_db

API = "/api/v1/volunteers/activities/"
DAY = dt.timedelta(days=1)


@pytest.fixture
def team(db):
    return organisation(UserFactory(name="队长"), name="幸福里志愿服务队")


@pytest.fixture
def city(team):
    """A 助老 activity (陪伴老人) of 幸福里, and two others of other organisations."""
    jinjiang = organisation(UserFactory(), name="小橡树亲子志愿队", division_id="510104")
    community = organisation(UserFactory(), name="浆洗街社区志愿服务队")
    return {
        "elderly": activity(
            team,
            title="社区助老：陪伴老人聊天",
            description="上门陪独居长者读报、下棋。",
            address="武侯区浆洗街幸福里养老服务中心",
            positions=[("陪伴聊天", 4, ["companionship"])],
        ),
        "reading": activity(
            jinjiang,
            title="亲子阅读志愿者",
            domain="childcare",
            description="为幼儿和家长讲读绘本。",
            address="锦江区小橡树托育中心",
            starts_in=dt.timedelta(days=4),
            positions=[("绘本讲读", 2, ["childcare"])],
        ),
        "clean": activity(
            community,
            title="社区环境清洁日",
            domain="community",
            description="清理楼道小广告。",
            address="武侯区洗面桥街 8 号",
            starts_in=dt.timedelta(days=9),
            positions=[("清洁", 5, ["general"])],
        ),
    }


def found(api_client, **params) -> list[str]:
    response = api_client.get(API, params)
    assert response.status_code == 200, response.json()
    return [a["title"] for a in response.json()["results"]]


@pytest.mark.parametrize(
    "q",
    [
        "助老",  # a Chinese word of the title
        "陪伴老人",  # a phrase, matched by its words
        "老人 聊天",  # every word typed
        "zhulao",  # full pinyin
        "peibanlaoren",
        "ZhuLao",  # any case
        "zl",  # initials
        "pblr",
        "陪伴 zhulao",  # Chinese and pinyin together
        "幸福里志愿",  # the organisation's name
        "xingfuli",
        "独居",  # the description
    ],
)
def test_chinese_words_pinyin_and_initials_find_the_elderly_care_activity(api_client, city, q):
    assert found(api_client, q=q) == ["社区助老：陪伴老人聊天"]


@pytest.mark.parametrize("q", ["助残", "zhucan", "xyz", "助老 锦江", "zhulao qinzi", "助浴"])
def test_words_the_activity_does_not_hold_find_nothing(api_client, city, q):
    assert found(api_client, q=q) == []


def test_a_query_with_nothing_searchable_lists_every_upcoming_activity(api_client, city):
    assert found(api_client, q="，。！ ") == [
        "社区助老：陪伴老人聊天",
        "亲子阅读志愿者",
        "社区环境清洁日",
    ]


def test_a_title_match_ranks_before_the_organisation_the_description_and_the_place(team):
    elders = organisation(UserFactory(), name="敬老志愿服务队")
    plain = {"description": "义务服务", "address": "浆洗街社区广场"}
    by_place = activity(team, title="周末义诊", **{**plain, "address": "敬老院礼堂"}, starts_in=DAY)
    by_text = activity(team, title="社区义剪", **{**plain, "description": "为敬老院长者理发"})
    by_organiser = activity(elders, title="秋季义卖", **plain, starts_in=3 * DAY)
    by_title = activity(team, title="敬老院慰问演出", **plain, starts_in=4 * DAY)
    activity(team, title="社区义诊", **plain)  # no 敬老 anywhere

    assert list(activity_search(text="敬老")) == [by_title, by_organiser, by_text, by_place]


@pytest.mark.parametrize(
    ("params", "titles"),
    [
        ({"q": "shequ", "domain": "community"}, ["社区环境清洁日"]),
        ({"q": "shequ", "domain": "elderly"}, ["社区助老：陪伴老人聊天"]),
        ({"q": "志愿", "division": "510104"}, ["亲子阅读志愿者"]),
        ({"q": "shequ", "skill": "general"}, ["社区环境清洁日"]),
        ({"q": "shequ", "skill": "childcare"}, []),
    ],
)
def test_the_filters_narrow_a_text_search(api_client, city, params, titles):
    assert found(api_client, **params) == titles


def test_the_dates_narrow_a_text_search(api_client, city):
    later = (timezone.localdate() + dt.timedelta(days=7)).isoformat()

    assert set(found(api_client, q="社区")) == {"社区助老：陪伴老人聊天", "社区环境清洁日"}
    assert found(api_client, q="社区", date_from=later) == ["社区环境清洁日"]
    assert found(api_client, q="社区", date_to=later) == ["社区助老：陪伴老人聊天"]


def test_the_page_searches_in_pinyin_too(client, city):
    response = client.get(reverse("volunteers:home"), {"q": "pbl"})

    assert response.status_code == 200
    assert [a.title for a in response.context["page"].object_list] == ["社区助老：陪伴老人聊天"]


def test_an_over_long_query_is_a_400_naming_q(api_client, city):
    response = api_client.get(API, {"q": "助" * 101})

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "max_length"
    assert list(body["fields"]) == ["q"]
    assert "100" in body["fields"]["q"][0]


def test_the_page_explains_an_over_long_query(client, city):
    response = client.get(reverse("volunteers:home"), {"q": "z" * 101})

    assert response.status_code == 200
    assert response.context["page"] is None
    error = response.context["form"].errors["q"][0]
    assert "100" in error
    assert f"关键词：{error}" in response.content.decode()


def test_publishing_writes_the_vector_and_a_later_save_keeps_it(team):
    starts = timezone.now() + dt.timedelta(days=2)
    published = activity_publish(
        organisation=team,
        actor=team.members.get().user,
        data={
            "title": "重阳节陪伴老人",
            "domain": "elderly",
            "division": "510107",
            "address": "浆洗街社区活动中心",
            "starts_at": starts,
            "ends_at": starts + dt.timedelta(hours=2),
            "positions": [{"name": "陪伴", "needed": 2, "skills": []}],
        },
    )
    assert list(activity_search(text="chongyang")) == [published]
    assert list(activity_search(text="peibanlaoren")) == [published]  # words inside the title

    published.min_age = 16
    published.save()

    assert list(activity_search(text="cyj")) == [published]
    assert list(activity_search(text="zhulao")) == [published]  # its domain's name


def test_renaming_an_organisation_and_reindexing_finds_it_by_the_new_name(team, city):
    Organisation.objects.filter(pk=team.pk).update(name="红枫志愿服务队")
    assert list(activity_search(text="hongfeng")) == []

    assert activities_reindex(queryset=Activity.objects.filter(organisation=team)) == 1

    assert list(activity_search(text="hongfeng")) == [city["elderly"]]


def test_the_rebuild_command_rewrites_every_vector(city):
    Activity.objects.update(search_vector=None)
    assert list(activity_search(text="zhulao")) == []

    call_command("activity_search_rebuild", stdout=StringIO())

    assert list(activity_search(text="zhulao")) == [city["elderly"]]
    assert not Activity.objects.filter(search_vector__isnull=True).exists()
