"""The resident workload of bench_load.py, run by locust in its own process (locust patches the
standard library with gevent, which must never happen inside the pytest process).

Each simulated user logs in as one of the seeded residents, fetches the static files once, then
loops over a mix of tasks with a think time: search pages (Chinese keywords, pinyin, filters),
listing pages, booking through the form (detail page → book page → POST with the form's CSRF
token) and through the API (free slots → POST /api/v1/bookings/ with the session and the CSRF
header), and "my bookings". A booking the portal refuses for a reason of the domain (the slot
filled up meanwhile, the resident already has a booking at that time, the slot has started) is
an expected answer and counted by reason; anything else unexpected is a failure.

Input: LOAD_DATA (JSON written by bench_load.py). Output: LOAD_OUTCOMES (JSON: booking outcome
counts and every request's start, name, time, status and failure), written when the run stops.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
from collections import Counter
from urllib.parse import urlencode

from locust import FastHttpUser, between, events, task

DATA = json.loads(open(os.environ["LOAD_DATA"], encoding="utf-8").read())  # noqa: SIM115
WAIT_MIN, WAIT_MAX = (float(v) for v in os.environ.get("LOAD_WAIT", "1-3").split("-"))

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
LISTING_LINK = re.compile(r'href="/services/(\d+)/"')
BOOK_LINK = re.compile(r'href="/services/(\d+)/book/(\d+)/"')
STATIC_LINK = re.compile(r'(?:href|src)="(/static/[^"]+)"')
# The refusals a resident can meet on the book page (services.services.bookings), by the
# message shown; the API answers with the same codes.
REFUSALS = {
    "该时段已约满": "slot_full",
    "服务对象在这个时间已有其他预约": "person_busy",
    "这个时段已经开始或结束": "slot_past",
}
EXPECTED_CODES = set(REFUSALS.values())

_residents = itertools.cycle(DATA["residents"])
outcomes: Counter = Counter()
# Every request: (start, name, milliseconds, HTTP status, failure message or ""), for exact
# percentiles over any window (locust's own are rounded and cover the whole run only).
requests: list = []


@events.request.add_listener
def _record(name, response_time, response, exception, start_time=None, **kwargs):
    status = getattr(response, "status_code", 0) or 0
    start = start_time or time.time() - response_time / 1000
    requests.append((start, name, response_time, status, str(exception or "")[:200]))


@events.quitting.add_listener
def _write_outcomes(environment, **kwargs):
    with open(os.environ["LOAD_OUTCOMES"], "w", encoding="utf-8") as handle:
        json.dump({"outcomes": outcomes, "requests": requests}, handle, ensure_ascii=False)


class Resident(FastHttpUser):
    wait_time = between(WAIT_MIN, WAIT_MAX)
    default_headers = {"Accept-Language": "zh-CN,zh;q=0.9"}

    def on_start(self) -> None:
        self.resident = next(_residents)
        response = self.client.get("/accounts/login/", name="login page")
        token = CSRF_INPUT.search(response.text or "")
        with self.client.post(
            "/accounts/login/",
            data={
                "csrfmiddlewaretoken": token.group(1) if token else "",
                "username": self.resident["phone"],
                "password": DATA["password"],
            },
            name="login POST",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login refused: {response.status_code}")
        # A browser's first page load also fetches the CSS and scripts (WhiteNoise serves them).
        home = self.client.get("/", name="home")
        for path in sorted(set(STATIC_LINK.findall(home.text or ""))):
            self.client.get(path, name="static file")

    # --- Reading ---------------------------------------------------------------------------

    def _search(self, params: dict, name: str) -> None:
        with self.client.get(
            "/search/?" + urlencode(params), name=name, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} for {params}")
                return
            found = LISTING_LINK.findall(response.text or "")
        # Half of the searches end on one of the results, as people click through.
        if found and random.random() < 0.5:
            self._detail(int(random.choice(found)))

    def _detail(self, listing_id: int) -> str:
        response = self.client.get(f"/services/{listing_id}/", name="listing page")
        return response.text or ""

    @task(4)
    def search_chinese(self) -> None:
        self._search({"q": random.choice(DATA["chinese_terms"])}, "search 中文")

    @task(2)
    def search_pinyin(self) -> None:
        self._search({"q": random.choice(DATA["pinyin_terms"])}, "search pinyin")

    @task(3)
    def search_filtered(self) -> None:
        params = dict(random.choice(DATA["filter_sets"]))
        if random.random() < 0.5:
            params["q"] = random.choice(DATA["chinese_terms"] + DATA["pinyin_terms"])
        if random.random() < 0.25:
            params["page"] = "2"
        self._search(params, "search filters")

    @task(3)
    def listing_page(self) -> None:
        self._detail(random.choice(DATA["listings"]))

    @task(1)
    def my_bookings(self) -> None:
        self.client.get("/me/bookings/", name="my bookings")

    # --- Booking ---------------------------------------------------------------------------

    def _address_for(self, listing: dict) -> str:
        if not listing["at_home"]:
            return ""
        return str(self.resident["addresses"][listing["area"]])

    @task(2)
    def book_through_the_form(self) -> None:
        listing = random.choice(DATA["hot_listings"])
        links = BOOK_LINK.findall(self._detail(listing["id"]))
        if not links:
            outcomes["no_free_slot_shown"] += 1
            return
        # The earliest times are the popular ones: residents race for the same few slots.
        _listing, slot = random.choice(links[:3])
        path = f"/services/{listing['id']}/book/{slot}/"
        page = self.client.get(path, name="book page").text or ""
        token = CSRF_INPUT.search(page)
        idempotency = re.search(r'name="token" value="([^"]+)"', page)
        if token is None or idempotency is None:
            outcomes["book_page_without_form"] += 1
            return
        data = {
            "csrfmiddlewaretoken": token.group(1),
            "token": idempotency.group(1),
            "person": "self",
            "note": "",
        }
        if listing["at_home"]:
            data["address"] = self._address_for(listing)
        with self.client.post(
            path, data=data, name="book POST (form)", allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code == 302:
                outcomes["booked_form"] += 1
                return
            text = response.text or ""
            reason = next((code for msg, code in REFUSALS.items() if msg in text), None)
            if response.status_code == 200 and reason:
                outcomes[f"refused_{reason}"] += 1
                response.success()
            else:
                response.failure(f"booking form: {response.status_code}")

    @task(1)
    def book_through_the_api(self) -> None:
        listing = random.choice(DATA["hot_listings"])
        with self.client.get(
            f"/api/v1/listings/{listing['id']}/slots/",
            name="slots API",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"slots: {response.status_code}")
                return
            body = response.json()
            slots = body["results"] if isinstance(body, dict) else body
        free = [s for s in slots if s.get("remaining", 0) > 0][:3]
        if not free:
            outcomes["no_free_slot_shown"] += 1
            return
        payload = {"slot": random.choice(free)["id"]}
        if listing["at_home"]:
            payload["address"] = int(self._address_for(listing))
        csrf = next((c.value for c in self.client.cookiejar if c.name == "csrftoken"), "")
        with self.client.post(
            "/api/v1/bookings/",
            json=payload,
            headers={
                "X-CSRFToken": csrf,
                "Idempotency-Key": f"load-{random.getrandbits(64):016x}",
                "Referer": self.host + "/",
            },
            name="book POST (API)",
            catch_response=True,
        ) as response:
            if response.status_code == 201:
                outcomes["booked_api"] += 1
                return
            try:
                code = response.json().get("code")
            except ValueError:
                code = None
            if response.status_code == 409 and code in EXPECTED_CODES:
                outcomes[f"refused_{code}"] += 1
                response.success()
            else:
                response.failure(f"booking API: {response.status_code} {code}")
