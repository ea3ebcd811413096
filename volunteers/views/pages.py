"""Pages of the volunteers app for residents (志愿服务: search, sign-up, registration, my
volunteering, check-in by code) and organisers (register an organisation, publish activities,
accept sign-ups, record attendance, confirm hours, show the check-in code).

Thin views: reads through volunteers.selectors (an object the user may not see is a 404),
writes through volunteers.services, whose Chinese errors are put back on the form fields.
"""

from __future__ import annotations

import math

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from portal.accounts.permissions import (
    ResidentRequiredMixin,
    RoleRequiredMixin,
    is_provider_staff,
    is_resident,
)
from portal.forms import apply_domain_error
from volunteers import selectors, services
from volunteers.errors import VolunteerConflict, VolunteerError
from volunteers.forms import (
    REGISTER_FIELDS,
    ActivityForm,
    ActivitySearchForm,
    CheckinForm,
    OrganisationForm,
    PositionFormSet,
    RegisterForm,
    SignupForm,
    activity_data,
)
from volunteers.models import HourRecord, Organisation, Signup
from volunteers.qr import qr_svg
from volunteers.throttles import CheckinCodeThrottle

PAGE_SIZE = 20
# A volunteer's or an activity's lists on one page: the newest this many.
LIST_LIMIT = 200


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _hours_of(signup: Signup) -> HourRecord | None:
    try:
        return signup.hours
    except HourRecord.DoesNotExist:
        return None


def is_open(activity) -> bool:
    """Sign-ups are taken until the activity starts."""
    return activity.status == activity.Status.PUBLISHED and activity.starts_at > timezone.now()


def _can_organise(user) -> bool:
    return is_resident(user) or is_provider_staff(user)


class OrganiserRequiredMixin(RoleRequiredMixin):
    """Residents and provider staff run volunteer organisations; officials review them."""

    role_predicate = staticmethod(_can_organise)


# --- Residents ----------------------------------------------------------------------------------


class HomeView(TemplateView):
    """志愿服务: what it is, where to start, and the activity search (htmx swaps the results)."""

    template_name = "volunteers/home.html"

    def get_template_names(self):
        if _is_htmx(self.request):
            return ["volunteers/partials/results.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        params = self.request.GET
        form = ActivitySearchForm(params if params else None)
        if form.is_bound and form.is_valid():
            activities = selectors.activity_search(**form.search_arguments())
        elif form.is_bound:
            activities = None
        else:
            activities = selectors.activity_search()
        page = None
        if activities is not None:
            page = Paginator(activities, PAGE_SIZE).get_page(params.get("page"))
        query = params.copy()
        query.pop("page", None)
        user = self.request.user
        return super().get_context_data(
            form=form,
            page=page,
            query=query.urlencode(),
            volunteer=selectors.volunteer_get_for_user(user=user) if is_resident(user) else None,
            can_organise=_can_organise(user),
            **kwargs,
        )


class ActivityDetailView(TemplateView):
    """An activity with its positions; a registered resident signs up here (POST) and sees
    the state of their sign-up, with a cancel button while it is open."""

    template_name = "volunteers/activity.html"

    def dispatch(self, request, *args, **kwargs):
        if request.method == "POST":
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not is_resident(request.user):
                raise PermissionDenied
        self.activity = selectors.activity_get_visible(viewer=request.user, pk=kwargs["pk"])
        if self.activity is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, form=None, **kwargs):
        user = self.request.user
        activity = self.activity
        volunteer = selectors.volunteer_get_for_user(user=user) if is_resident(user) else None
        mine = selectors.signup_get_mine(user=user, activity=activity) if volunteer else None
        open_signup = mine is not None and mine.status in Signup.ACTIVE
        can_sign_up = volunteer is not None and not open_signup and is_open(activity)
        if can_sign_up and form is None:
            form = SignupForm(activity=activity)
        return super().get_context_data(
            activity=activity,
            volunteer=volunteer,
            mine=mine,
            open_signup=open_signup,
            form=form if can_sign_up else None,
            is_open=is_open(activity),
            manages=selectors.is_manager_of(user, activity.organisation_id),
            **kwargs,
        )

    def post(self, request, pk):
        if selectors.volunteer_get_for_user(user=request.user) is None:
            messages.info(request, _("报名前请先完成志愿者实名注册。"))
            return redirect(f"{reverse('volunteers:register')}?{urlencode({'next': request.path})}")
        form = SignupForm(request.POST, activity=self.activity)
        if form.is_valid():
            try:
                signup = services.signup_create(
                    activity=self.activity,
                    user=request.user,
                    position_id=form.cleaned_data["position"],
                    note=form.cleaned_data["note"],
                )
            except VolunteerConflict as exc:  # already signed up, or it has just closed
                messages.error(request, exc.message)
                return redirect("volunteers:activity", pk=pk)
            except VolunteerError as exc:
                apply_domain_error(form, exc)
            else:
                if signup.status == Signup.Status.WAITLISTED:
                    messages.warning(request, _("该岗位已满，您已进入候补名单。"))
                else:
                    messages.success(request, _("报名成功，请等待组织方录用。"))
                return redirect("volunteers:activity", pk=pk)
        return self.render_to_response(self.get_context_data(form=form))


class SignupCancelView(View):
    """The volunteer (or the organiser) cancels a sign-up; back to where the button was."""

    def post(self, request, pk):
        if not request.user.is_authenticated:
            return redirect_to_login(reverse("volunteers:me"))
        signup = selectors.signup_get_for_volunteer_or_manager(user=request.user, pk=pk)
        if signup is None:
            raise Http404
        try:
            services.signup_cancel(signup=signup, actor=request.user)
        except VolunteerError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已取消报名。"))
        return redirect(
            _safe_next(request, reverse("volunteers:activity", args=[signup.activity_id]))
        )


class RegisterView(ResidentRequiredMixin, FormView):
    """实名注册: a resident becomes a volunteer (the ID number is checked by GB 11643)."""

    form_class = RegisterForm
    template_name = "volunteers/register.html"

    def dispatch(self, request, *args, **kwargs):
        self.volunteer = (
            selectors.volunteer_get_for_user(user=request.user)
            if is_resident(request.user)
            else None
        )
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if self.volunteer is not None:
            messages.info(request, _("您已注册为志愿者。"))
            return redirect("volunteers:me")
        return super().post(request, *args, **kwargs)

    def get_initial(self):
        user = self.request.user
        return {"real_name": user.name, "phone": user.phone.removeprefix("+86")}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            next=_safe_next(self.request, ""), volunteer=self.volunteer, **kwargs
        )

    def form_valid(self, form):
        try:
            volunteer = services.volunteer_register(
                user=self.request.user, request=self.request, **form.service_arguments()
            )
        except VolunteerError as exc:
            apply_domain_error(form, exc, REGISTER_FIELDS)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("注册成功！您的志愿者编号是 %(number)s。") % {"number": volunteer.number},
        )
        return redirect(_safe_next(self.request, reverse("volunteers:me")))


class MyVolunteeringView(ResidentRequiredMixin, TemplateView):
    """我的志愿服务: number, masked ID, sign-ups, hour records and the confirmed totals."""

    template_name = "volunteers/me.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        volunteer = selectors.volunteer_get_for_user(user=user)
        context = {"volunteer": volunteer}
        if volunteer is not None:
            records = list(selectors.hour_list_for_volunteer(user=user)[:LIST_LIMIT])
            attended = {r.signup_id for r in records}
            now = timezone.now()
            for record in records:
                record.disputable = now <= services.dispute_deadline(record)
            signups = [
                (s, s.status in Signup.ACTIVE and s.pk not in attended and s.activity.ends_at > now)
                for s in selectors.signup_list_for_volunteer(user=user)[:LIST_LIMIT]
            ]
            context.update(
                signups=signups,
                records=records,
                totals=selectors.hour_totals_by_year(user=user),
                links=[
                    {"label": _("志愿服务证明"), "url": reverse("volunteers:certificates")},
                    {"label": _("时间银行"), "url": reverse("volunteers:timebank")},
                    {
                        "label": _("我的公开主页"),
                        "url": reverse("volunteers:profile", args=[volunteer.number]),
                    },
                ],
            )
        context["organisations"] = selectors.organisation_list_managed(user=user)
        return super().get_context_data(**context, **kwargs)


class CheckinView(ResidentRequiredMixin, TemplateView):
    """Check in or out with the code shown at the place. The QR code there opens this page
    with the activity and the code filled in."""

    template_name = "volunteers/checkin.html"

    def _activity(self, value):
        value = str(value or "")
        if not value.isdigit():
            return None
        return selectors.activity_get_visible(viewer=self.request.user, pk=int(value))

    def _form(self, data=None, activity=None):
        signups = selectors.signup_list_for_checkin(
            user=self.request.user, grace=services.code_grace()
        )
        return CheckinForm(data, signups=signups, activity=activity)

    def get_context_data(self, form=None, **kwargs):
        volunteer = selectors.volunteer_get_for_user(user=self.request.user)
        if form is None and volunteer is not None:
            activity = self._activity(self.request.GET.get("activity"))
            form = self._form(activity=activity)
            form.initial["code"] = self.request.GET.get("code", "")[:8]
        return super().get_context_data(volunteer=volunteer, form=form, **kwargs)

    def post(self, request):
        activity = self._activity(request.POST.get("activity"))
        form = self._form(request.POST, activity=activity)
        if form.is_valid() and activity is not None:
            # Wrong codes are limited per volunteer and activity (volunteers.throttles).
            throttle = CheckinCodeThrottle()
            attempt = {"user_id": request.user.pk, "activity_id": activity.pk}
            if not throttle.take(**attempt):
                form.add_error(
                    "code",
                    _("签到码错误次数过多，请 %(n)s 分钟后再试。")
                    % {"n": math.ceil(throttle.wait() / 60)},
                )
                return self.render_to_response(self.get_context_data(form=form), status=429)
            try:
                record = services.code_checkin(
                    activity=activity, user=request.user, code=form.cleaned_data["code"]
                )
            except VolunteerError as exc:
                if exc.code != "invalid_code":
                    throttle.release(**attempt)
                apply_domain_error(form, exc)
            else:
                throttle.release(**attempt)
                if record.status == HourRecord.Status.OPEN:
                    messages.success(
                        request,
                        _("签到成功：%(title)s。活动结束后请再次输入签到码签退。")
                        % {"title": activity.title},
                    )
                else:
                    messages.success(
                        request,
                        _("签退成功：本次计入 %(minutes)s 分钟，待组织方确认。")
                        % {"minutes": record.minutes},
                    )
                return redirect("volunteers:me")
        return self.render_to_response(self.get_context_data(form=form))


# --- Organisers ---------------------------------------------------------------------------------


class OrganisationCreateView(OrganiserRequiredMixin, FormView):
    """Register a volunteer organisation for the 民政 official's review."""

    form_class = OrganisationForm
    template_name = "volunteers/organisation_form.html"

    def form_valid(self, form):
        try:
            organisation = services.organisation_register(
                owner=self.request.user, **form.service_arguments()
            )
        except VolunteerError as exc:
            apply_domain_error(form, exc, {"division_code": "division"})
            return self.form_invalid(form)
        messages.success(self.request, _("已提交登记，待所在区民政部门审核通过后即可发布活动。"))
        return redirect("volunteers:organisation-manage", pk=organisation.pk)


class MyOrganisationsView(OrganiserRequiredMixin, TemplateView):
    template_name = "volunteers/organisations_mine.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            organisations=selectors.organisation_list_managed(user=self.request.user), **kwargs
        )


class OrganisationManageView(OrganiserRequiredMixin, TemplateView):
    """An organisation's desk: its activities, and the form to publish a new one."""

    template_name = "volunteers/organisation_manage.html"

    def dispatch(self, request, *args, **kwargs):
        if _can_organise(request.user):
            self.organisation = selectors.organisation_get_for_manager(
                user=request.user, pk=kwargs["pk"]
            )
            if self.organisation is None:
                raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, form=None, formset=None, **kwargs):
        organisation = self.organisation
        return super().get_context_data(
            organisation=organisation,
            activities=selectors.activity_list_for_organisation(organisation=organisation)[
                :LIST_LIMIT
            ],
            form=form or ActivityForm(organisation=organisation),
            formset=formset or PositionFormSet(prefix="positions"),
            may_publish=organisation.status == Organisation.Status.APPROVED,
            links=[
                {
                    "label": _("时长异议"),
                    "url": reverse("volunteers:org-disputes", args=[organisation.pk]),
                },
                {
                    "label": _("时间银行服务"),
                    "url": reverse("volunteers:org-timebank-services", args=[organisation.pk]),
                },
                {
                    "label": _("兑换申请"),
                    "url": reverse("volunteers:org-redemptions", args=[organisation.pk]),
                },
            ],
            **kwargs,
        )

    def post(self, request, pk):
        form = ActivityForm(request.POST, organisation=self.organisation)
        formset = PositionFormSet(request.POST, prefix="positions")
        if form.is_valid() and formset.is_valid():
            try:
                activity = services.activity_publish(
                    organisation=self.organisation,
                    actor=request.user,
                    data=activity_data(form, formset),
                )
            except VolunteerError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("活动已发布：%(title)s") % {"title": activity.title})
                return redirect("volunteers:activity-manage", pk=activity.pk)
        context = self.get_context_data(form=form, formset=formset)
        return self.render_to_response(context, status=400)


class ManagedActivityMixin(OrganiserRequiredMixin):
    """Loads `self.activity` of an organisation the user manages, or 404."""

    def dispatch(self, request, *args, **kwargs):
        if _can_organise(request.user):
            self.activity = selectors.activity_get_for_manager(user=request.user, pk=kwargs["pk"])
            if self.activity is None:
                raise Http404
        return super().dispatch(request, *args, **kwargs)


def signup_actions(signup: Signup, record: HourRecord | None) -> list[tuple[str, str]]:
    """What the organiser can do with a sign-up now (the service has the last word)."""
    if signup.status in (Signup.Status.APPLIED, Signup.Status.WAITLISTED):
        return [("accept", _("录用")), ("reject", _("不录用"))]
    if signup.status != Signup.Status.ACCEPTED:
        return []
    if record is None:
        return [("check_in", _("签到"))]
    if record.status == HourRecord.Status.OPEN:
        return [("check_out", _("签退"))]
    if record.status == HourRecord.Status.PENDING and record.minutes > 0:
        return [("confirm", _("确认时长"))]
    return []


def signup_row(signup: Signup, viewer) -> dict:
    """A row of the desk; on the viewer's own sign-up no action is offered (another manager
    handles it: services.require_not_own)."""
    record = _hours_of(signup)
    own = signup.volunteer.user_id == viewer.pk
    actions = [] if own else signup_actions(signup, record)
    return {"signup": signup, "record": record, "actions": actions, "own": own}


def _rows(signups, viewer) -> list[dict]:
    return [signup_row(signup, viewer) for signup in signups]


class ActivityManageView(ManagedActivityMixin, TemplateView):
    """Sign-ups of an activity: accept or reject, the waitlist in its order, attendance and
    hours to confirm. Names are masked; contact details only on request (audit-logged)."""

    template_name = "volunteers/activity_manage.html"

    def get_context_data(self, **kwargs):
        signups = list(selectors.signup_list_for_activity(activity=self.activity)[:LIST_LIMIT])
        waitlist = sorted(
            (s for s in signups if s.status == Signup.Status.WAITLISTED),
            key=lambda s: (s.waitlisted_at, s.pk),
        )
        return super().get_context_data(
            activity=self.activity,
            rows=_rows(signups, self.request.user),
            waitlist=waitlist,
            started=self.activity.starts_at <= timezone.now(),
            **kwargs,
        )


class ActivityCancelView(ManagedActivityMixin, View):
    """The organiser cancels an activity that has not started, with a reason the volunteers
    who applied are told."""

    def post(self, request, pk):
        try:
            services.activity_cancel(
                activity=self.activity, actor=request.user, reason=request.POST.get("reason", "")
            )
        except VolunteerError as exc:
            messages.error(request, exc.message)
            return redirect("volunteers:activity-manage", pk=self.activity.pk)
        messages.success(request, _("活动已取消，已报名的志愿者会收到通知。"))
        return redirect("volunteers:organisation-manage", pk=self.activity.organisation_id)


class SignupActionView(OrganiserRequiredMixin, View):
    """One organiser action on one sign-up: accept, reject, check in, check out, confirm the
    hours. htmx gets the row back (with the error in it), a plain form a redirect."""

    def post(self, request, pk):
        signup = selectors.signup_get_for_manager(user=request.user, pk=pk)
        if signup is None:
            raise Http404
        action = request.POST.get("action", "")
        error = None
        try:
            if action in ("accept", "reject"):
                services.signup_decide(signup=signup, actor=request.user, accept=action == "accept")
            elif action in ("check_in", "check_out"):
                services.attendance_record(signup=signup, actor=request.user, action=action)
            elif action == "confirm":
                record = _hours_of(signup)
                if record is None:
                    raise VolunteerError(_("尚未签到，没有可确认的时长。"), code="not_checked_in")
                services.hours_confirm(record=record, actor=request.user)
            else:
                raise VolunteerError(_("未知的操作。"), code="invalid_choice", field="action")
        except VolunteerError as exc:
            error = exc
        if _is_htmx(request):
            signup = selectors.signup_get_for_manager(user=request.user, pk=pk)
            html = render_to_string(
                "volunteers/partials/signup_row.html",
                {"row": signup_row(signup, request.user), "error": error},
                request=request,
            )
            return HttpResponse(html)
        if error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("已更新。"))
        return redirect("volunteers:activity-manage", pk=signup.activity_id)


class SignupContactView(OrganiserRequiredMixin, View):
    """查看联系方式: an accepted volunteer's real name and phone for the organiser, on an
    explicit request that is audit-logged (a GET would be fetched by link preloaders)."""

    def post(self, request, pk):
        signup = selectors.signup_get_for_manager(user=request.user, pk=pk)
        if signup is None:
            raise Http404
        try:
            contact = services.signup_contact_reveal(
                signup=signup, actor=request.user, request=request
            )
        except VolunteerError as exc:
            if _is_htmx(request):
                return HttpResponse(
                    format_html('<p class="error" role="alert">{}</p>', exc.message)
                )
            messages.error(request, exc.message)
            return redirect("volunteers:activity-manage", pk=signup.activity_id)
        context = {"signup": signup, "contact": contact, "activity": signup.activity}
        if _is_htmx(request):
            return HttpResponse(
                render_to_string("volunteers/partials/contact.html", context, request=request)
            )
        return HttpResponse(render_to_string("volunteers/contact.html", context, request=request))


class ActivityCodeView(ManagedActivityMixin, TemplateView):
    """The check-in code to show at the place, in very large type, with its QR code. The code
    changes every VOLUNTEER_CODE_ROTATE_SECONDS: htmx fetches the display again (this view,
    answering htmx with the fragment only) well within each period."""

    template_name = "volunteers/activity_code.html"
    fragment_name = "volunteers/partials/checkin_code.html"

    def get_template_names(self):
        return [self.fragment_name if _is_htmx(self.request) else self.template_name]

    def get_context_data(self, **kwargs):
        code = services.checkin_code_current(self.activity)
        return super().get_context_data(
            activity=self.activity,
            code=code,
            rotate_every=_every(settings.VOLUNTEER_CODE_ROTATE_SECONDS),
            # Fetched again a few times per period (every 20 s for the default two minutes).
            poll_seconds=max(5, min(20, settings.VOLUNTEER_CODE_ROTATE_SECONDS // 4)),
            checkin_url=checkin_url(self.request, self.activity, code.code),
            **kwargs,
        )

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        response["Cache-Control"] = "private, no-store"
        return response


def _every(seconds: int) -> str:
    if seconds % 60 == 0:
        return _("%(n)s 分钟") % {"n": seconds // 60}
    return _("%(n)s 秒") % {"n": seconds}


def checkin_url(request, activity, code: str) -> str:
    """The check-in page with the activity and the current code filled in, as an absolute
    URL (it works only as long as the code does)."""
    path = f"{reverse('volunteers:checkin')}?activity={activity.pk}&code={code}"
    return request.build_absolute_uri(path)


class ActivityQrView(ManagedActivityMixin, View):
    """The QR code of the check-in URL, as SVG (drawn on the server, no script)."""

    def get(self, request, pk):
        code = services.checkin_code_current(self.activity).code
        response = HttpResponse(
            qr_svg(checkin_url(request, self.activity, code)), content_type="image/svg+xml"
        )
        # The code inside changes and is a secret of the organisers: never kept by a cache
        # (the page also names each period's image by its own URL, ?p=<period>).
        response["Cache-Control"] = "private, no-store"
        return response
