"""Acceptance under a race: organisers accepting many applications at once, over real
parallel database connections, never accept more than a position needs; the rest go to the
waitlist. Each thread has its own connection, so the test commits for real."""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest
from django.db import connection

from tests.accounts.factories import UserFactory
from tests.volunteers.factories import activity, organisation, volunteer
from volunteers.models import Position, Signup
from volunteers.services import signup_cancel, signup_create, signup_decide

APPLICANTS = 24
NEEDED = 5
JOIN_TIMEOUT_S = 120


def run_together(calls: list) -> tuple[list, list, int]:
    """Run each call in its own thread, released together by a barrier; (values, errors,
    the largest number of calls in flight at once)."""
    barrier = threading.Barrier(len(calls))
    values, errors = [None] * len(calls), [None] * len(calls)
    lock, state = threading.Lock(), {"now": 0, "max": 0}

    def worker(i: int) -> None:
        try:
            connection.ensure_connection()
            barrier.wait(timeout=60)
            with lock:
                state["now"] += 1
                state["max"] = max(state["max"], state["now"])
            try:
                values[i] = calls[i]()
            finally:
                with lock:
                    state["now"] -= 1
        except BaseException as exc:  # kept for the assertion, never lost
            errors[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + JOIN_TIMEOUT_S
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    assert not [t for t in threads if t.is_alive()], "threads still running"
    return values, errors, state["max"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_acceptances_never_exceed_the_places():
    boss = UserFactory()
    act = activity(organisation(boss), positions=[("陪伴", NEEDED, [])])
    position = act.positions.get()
    signups = [
        signup_create(activity=act, user=volunteer().user, position_id=position.pk)
        for _ in range(APPLICANTS)
    ]

    def accept(signup):
        return lambda: signup_decide(signup=signup, actor=boss, accept=True).status

    values, errors, overlap = run_together([accept(s) for s in signups])

    assert overlap > 1, "the threads never overlapped"
    assert [e for e in errors if e is not None] == []
    assert Counter(values) == {"accepted": NEEDED, "waitlisted": APPLICANTS - NEEDED}
    assert Position.objects.get(pk=position.pk).accepted == NEEDED
    stored = Counter(Signup.objects.filter(position=position).values_list("status", flat=True))
    assert stored == {"accepted": NEEDED, "waitlisted": APPLICANTS - NEEDED}


@pytest.mark.django_db(transaction=True)
def test_concurrent_cancellations_promote_one_waiting_volunteer_per_freed_place():
    boss = UserFactory()
    act = activity(organisation(boss), positions=[("陪伴", 3, [])])
    position = act.positions.get()
    signups = [
        signup_create(activity=act, user=volunteer().user, position_id=position.pk)
        for _ in range(8)
    ]
    for signup in signups:
        signup_decide(signup=signup, actor=boss, accept=True)
    accepted = [s for s in signups if Signup.objects.get(pk=s.pk).status == "accepted"]

    def cancel(signup):
        return lambda: signup_cancel(signup=signup, actor=signup.volunteer.user).status

    values, errors, _overlap = run_together([cancel(s) for s in accepted])

    assert [e for e in errors if e is not None] == []
    assert values == ["cancelled"] * 3
    stored = Counter(Signup.objects.filter(position=position).values_list("status", flat=True))
    assert stored == {"cancelled": 3, "accepted": 3, "waitlisted": 2}
    assert Position.objects.get(pk=position.pk).accepted == 3
