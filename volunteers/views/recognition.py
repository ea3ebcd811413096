"""Public recognition pages: the yearly ranking of a district and a volunteer's public profile
(masked name, stars, badges, hours per year, commendations), where an official covering the
volunteer records a commendation."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from portal.accounts.permissions import OfficialRequiredMixin
from portal.forms import apply_domain_error
from volunteers import selectors, services
from volunteers.errors import VolunteerError
from volunteers.forms_officials import CommendationForm, RankingForm


class RankingView(TemplateView):
    """志愿服务时长排行: a district's top volunteers of a year (a signed-in volunteer's or
    district official's own district first)."""

    template_name = "volunteers/ranking.html"

    def _home_district(self) -> str:
        """A volunteer's own district, an official's (when a district), else none."""
        user = self.request.user
        own = selectors.volunteer_get_for_user(user=user)
        if own is not None:
            return own.division_id[:6]
        return (getattr(user, "jurisdiction_id", None) or "")[:6]

    def get_context_data(self, **kwargs):
        form = RankingForm(self.request.GET or None)
        district = form.chosen_district(default=self._home_district())
        year = form.chosen_year()
        rows = selectors.ranking(year=year, district_code=district.code) if district else []
        return super().get_context_data(
            form=form, year=year, district=district, rows=rows, **kwargs
        )


def _volunteer_or_404(number: str, viewer):
    """A volunteer whose record the viewer may see (a minor's: covering officials only)."""
    volunteer = selectors.volunteer_get_by_number(number=number)
    if volunteer is None or not selectors.volunteer_record_visible(
        volunteer=volunteer, viewer=viewer
    ):
        raise Http404
    return volunteer


class ProfileView(TemplateView):
    """A volunteer's public profile. No ID number, phone or birth date: the record only."""

    template_name = "volunteers/profile.html"

    def get_context_data(self, form=None, **kwargs):
        user = self.request.user
        volunteer = _volunteer_or_404(self.kwargs["number"], user)
        levels = services.grantable_levels(user) if services.may_commend(user, volunteer) else []
        if levels and form is None:
            form = CommendationForm(levels=levels)
        return super().get_context_data(
            volunteer=volunteer,
            record=selectors.volunteer_record(volunteer=volunteer),
            form=form if levels else None,
            **kwargs,
        )


class CommendView(OfficialRequiredMixin, View):
    """An official covering the volunteer records a commendation (the form on the profile)."""

    def post(self, request, number):
        volunteer = _volunteer_or_404(number, request.user)
        if not services.may_commend(request.user, volunteer):
            raise PermissionDenied
        form = CommendationForm(request.POST, levels=services.grantable_levels(request.user))
        if form.is_valid():
            try:
                services.commendation_record(
                    actor=request.user, volunteer=volunteer, request=request, **form.cleaned_data
                )
            except VolunteerError as error:
                apply_domain_error(form, error)
            else:
                messages.success(request, _("已记录表彰。"))
                return redirect("volunteers:profile", number=volunteer.number)
        view = ProfileView(request=request, kwargs={"number": number}, args=())
        context = view.get_context_data(form=form)
        return view.render_to_response(context, status=400)
