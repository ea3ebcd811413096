"""Public pages of social work: the map of projects near a home (a server-drawn SVG plot with
an accessible list beside it), a project's page, the government purchase catalogue and an
organisation's social-work page (its social workers counted by level, names masked).

Thin views: reads through socialorgs.selectors.socialwork."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404
from django.views.generic import TemplateView

from portal.accounts.models import Division
from portal.accounts.permissions import is_resident
from socialorgs.forms_socialwork import DEFAULT_DISTANCE, CatalogueFilterForm, MapFilterForm
from socialorgs.selectors import socialwork as selectors


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


class MapView(TemplateView):
    """社会工作服务地图: active projects as dots on a coordinate plot of the city's districts;
    from a home (a saved address, or a district's seat) the nearby ones within the chosen
    distance, nearest first, with the distance drawn as a circle."""

    template_name = "socialorgs/socialwork/map.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        params = self.request.GET
        form = MapFilterForm(params or None, user=user)
        values = form.cleaned_data if form.is_bound and form.is_valid() else {}
        home, home_label = self._home(values)
        radius = (values.get("distance") or DEFAULT_DISTANCE) if home else None
        projects = selectors.project_list_public(
            target_group=values.get("target_group") or "", near=home, radius_km=radius
        )
        city = Division.objects.filter(code=settings.PORTAL_CITY_CODE).first()
        plot = None
        if city is not None:
            plot = selectors.map_plot(
                city=city,
                districts=selectors.city_districts(city.code),
                projects=projects,
                home=home,
                radius_km=radius,
            )
        return super().get_context_data(
            form=form,
            projects=projects,
            plot=plot,
            home=home,
            home_label=home_label,
            radius=radius,
            can_request=is_resident(user),
            **kwargs,
        )

    def _home(self, values: dict):
        """(lat, lng) and a label of where the resident starts from, or (None, "")."""
        address_id = values.get("address")
        if address_id:
            from services.models import Address

            address = Address.objects.filter(owner=self.request.user, pk=address_id).first()
            if address is not None:
                return (address.latitude, address.longitude), address.label
        code = values.get("division")
        if code:
            division = Division.objects.filter(code=code).first()
            if division is not None:
                return (division.latitude, division.longitude), division.name
        return None, ""


class ProjectDetailView(TemplateView):
    """A published project: the organisation, funding (and its catalogue item), period,
    the average of its published reviews and the reviews, the organisation's social workers
    (names masked)."""

    template_name = "socialorgs/socialwork/project.html"

    def get_context_data(self, **kwargs):
        project = selectors.project_get_public(pk=self.kwargs["pk"])
        if project is None:
            raise Http404
        reviews = list(selectors.reviews_published(project)[: selectors.LIST_LIMIT])
        for review in reviews:
            review.public_text = selectors.public_review_text(review)
        organisation = project.organisation
        # Revoked, deregistered or on the 严重违法失信名单: the page stays (its record and
        # reviews), but residents are not invited to ask for its service.
        serving = selectors.organisation_serves(organisation)
        return super().get_context_data(
            project=project,
            organisation=organisation,
            serving=serving,
            reviews=reviews,
            workers=selectors.worker_summary_public(organisation),
            can_request=is_resident(self.request.user) and project.status == "active" and serving,
            manages=selectors.is_org_manager(self.request.user, organisation),
            # Residents may report a review (not their own; not the organisation's accounts).
            can_report=is_resident(self.request.user)
            and selectors.org_role(self.request.user, organisation) is None,
            **kwargs,
        )


class CatalogueView(TemplateView):
    """政府购买服务目录: the published items, by year and division."""

    template_name = "socialorgs/socialwork/catalogue.html"

    def get_context_data(self, **kwargs):
        params = self.request.GET
        form = CatalogueFilterForm(params or None)
        values = form.cleaned_data if form.is_bound and form.is_valid() else {}
        items = None
        if not form.is_bound or form.is_valid():
            items = list(
                selectors.catalogue_list_public(
                    year=values.get("year"), division=values.get("division") or ""
                )[: selectors.LIST_LIMIT]
            )
        return super().get_context_data(form=form, items=items, **kwargs)


class OrganisationView(TemplateView):
    """An organisation's social work: its social workers by level (names masked) and its
    published projects."""

    template_name = "socialorgs/socialwork/organisation.html"

    def get_context_data(self, **kwargs):
        organisation = selectors.org_get_public(credit_code=self.kwargs["credit_code"])
        if organisation is None:
            raise Http404
        user = self.request.user
        return super().get_context_data(
            organisation=organisation,
            workers=selectors.worker_summary_public(organisation),
            projects=selectors.project_public_projects(organisation)[: selectors.LIST_LIMIT],
            serving=selectors.organisation_serves(organisation),
            member=selectors.org_role(user, organisation) is not None,
            **kwargs,
        )
