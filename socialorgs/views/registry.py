"""Public pages of the registry: 一网通查 (the search, htmx swapping the results; it works
without JavaScript too) and the one-page profile of an organisation by its credit code.

Thin views: reads through socialorgs.selectors.registry; the legal representative is shown
masked here, to everyone (officials read the full name on their page, on purpose)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404
from django.views.generic import TemplateView

from portal.accounts.permissions import is_official
from socialorgs.forms_registry import OrgSearchForm
from socialorgs.selectors import registry as selectors

PAGE_SIZE = 20


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


class SearchView(TemplateView):
    """一网通查: find a social organisation by name (Chinese or pinyin), credit code, type,
    domain, district, grade, status or credit standing."""

    template_name = "socialorgs/registry/search.html"

    def get_template_names(self):
        if is_htmx(self.request):
            return ["socialorgs/registry/partials/results.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        params = self.request.GET
        form = OrgSearchForm(params if params else None)
        if form.is_bound and form.is_valid():
            orgs = selectors.org_search(**form.search_arguments())
        elif form.is_bound:
            orgs = None
        else:
            orgs = selectors.org_search()
        page = Paginator(orgs, PAGE_SIZE).get_page(params.get("page")) if orgs is not None else None
        query = params.copy()
        query.pop("page", None)
        return super().get_context_data(form=form, page=page, query=query.urlencode(), **kwargs)


class ProfileView(TemplateView):
    """One organisation on one page: basic information, annual-report results, evaluation
    grade, credit, licences and penalties, and its projects."""

    template_name = "socialorgs/registry/profile.html"

    def get_context_data(self, **kwargs):
        org = selectors.org_get_public(credit_code=self.kwargs["credit_code"])
        if org is None:
            raise Http404
        user = self.request.user
        return super().get_context_data(
            **selectors.org_profile(organisation=org),
            official_link=is_official(user) and user.covers(org.division_id),
            member_link=selectors.org_get_for_member(user=user, credit_code=org.credit_code)
            is not None,
            **kwargs,
        )
