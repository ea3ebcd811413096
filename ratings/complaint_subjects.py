"""Who answers for what a complaint is about, per subject kind (Complaint.SubjectKind).

Complaints about a provider are ratings' own: the provider's staff answer them. Later apps file
complaints about subjects ratings does not know (a social organisation, a body acting without
registration) and register here, in their AppConfig.ready(), how to find the users who answer
for such a subject, how to name it and where its public page is. Ratings' services ask this
registry wherever they used to read `complaint.provider`, so the dependency keeps pointing one
way: the later app imports ratings, never the reverse.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.accounts.permissions import is_staff_of


@dataclass(frozen=True)
class SubjectHandler:
    """One subject kind's rules.

    - `answerers(complaint)`: the users who answer for the subject (told of the case and its
      steps, write in it);
    - `label`: what the subject is called on pages ("被投诉机构", "被投诉社会组织");
    - `link(complaint)`: the subject's public page, or "" when it has none;
    - `answer_link(complaint)`: where the answerers read the case and answer, or "";
    - `is_answerer(user, complaint)`: defaults to membership of `answerers`;
    - `departments`: the officials' departments that supervise the subject and so handle its
      complaints (None: every department, as for providers, whose domains span several).
    """

    answerers: Callable[[object], Iterable]
    label: str
    link: Callable[[object], str] = lambda complaint: ""
    answer_link: Callable[[object], str] = lambda complaint: ""
    is_answerer: Callable[[object, object], bool] | None = None
    departments: tuple[str, ...] | None = None


_HANDLERS: dict[str, SubjectHandler] = {}


def register(kind: str, handler: SubjectHandler) -> None:
    """Say who answers for subjects of `kind` (called once per kind, from an app's ready())."""
    _HANDLERS[kind] = handler


def handler_for(complaint) -> SubjectHandler | None:
    return _HANDLERS.get(complaint.subject_kind)


def answerers_of(complaint) -> list:
    """The users who answer for the complaint's subject (none when no app registered it)."""
    handler = handler_for(complaint)
    return list(handler.answerers(complaint)) if handler is not None else []


def is_answerer(user, complaint) -> bool:
    """True when `user` answers for the complaint's subject."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    handler = handler_for(complaint)
    if handler is None:
        return False
    if handler.is_answerer is not None:
        return bool(handler.is_answerer(user, complaint))
    return any(answerer.pk == user.pk for answerer in handler.answerers(complaint))


def departments_of(complaint) -> tuple[str, ...] | None:
    """The departments whose officials handle the complaint (None: any department)."""
    handler = handler_for(complaint)
    return handler.departments if handler is not None else None


def department_handles(user, complaint) -> bool:
    """True when the official's department supervises the complaint's subject."""
    departments = departments_of(complaint)
    return departments is None or getattr(user, "department", "") in departments


def hidden_from_official_q(official) -> Q:
    """Complaints about subjects the official's department does not supervise."""
    kinds = [
        kind
        for kind, handler in _HANDLERS.items()
        if handler.departments is not None and official.department not in handler.departments
    ]
    return Q(subject_kind__in=kinds)


def subject_label(complaint) -> str:
    handler = handler_for(complaint)
    return str(handler.label) if handler is not None else str(_("被投诉对象"))


def subject_link(complaint) -> str:
    handler = handler_for(complaint)
    return handler.link(complaint) if handler is not None else ""


def answer_link(complaint) -> str:
    handler = handler_for(complaint)
    return handler.answer_link(complaint) if handler is not None else ""


# --- Providers: ratings' own subject -------------------------------------------------------------


def _provider_staff(complaint) -> list:
    return [m.user for m in complaint.provider.memberships.select_related("user")]


register(
    "provider",
    SubjectHandler(
        answerers=_provider_staff,
        label=_("被投诉机构"),
        answer_link=lambda complaint: reverse(
            "ratings:complaint-staff", kwargs={"pk": complaint.pk}
        ),
        is_answerer=lambda user, complaint: is_staff_of(user, complaint.provider_id),
    ),
)
