"""Pages of the organisations' social-work desk (any account of the organisation reads; its
owner and managers act): projects (create, edit a draft, publish, close), social workers (add,
edit, deactivate) and the requests matched to its projects (decline a proposal, complete an
accepted case); and the 民政 officials' purchase catalogue (create, publish, withdraw).

Thin views: an organisation or record of someone else's is a 404; writes through
socialorgs.services.socialwork, whose errors go back on the form fields or into a message."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from portal.accounts.permissions import OfficialRequiredMixin
from portal.forms import apply_domain_error
from socialorgs.errors import SocialOrgError
from socialorgs.forms_socialwork import (
    CatalogueItemForm,
    CatalogueStatusForm,
    OrgRequestActionForm,
    ProjectForm,
    ProjectStatusForm,
    WorkerEditForm,
    WorkerForm,
)
from socialorgs.selectors import socialwork as selectors
from socialorgs.services import socialwork as services
from socialorgs.services.common import is_civil_affairs_official
from socialorgs.services.socialwork.matching import REASONS


class MemberPageMixin:
    """Signed-in accounts only; the object is looked up for the user (None → 404)."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        self.object = self.get_object()
        if self.object is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_object(self):  # pragma: no cover - every page says
        raise NotImplementedError


class OrgPageMixin(MemberPageMixin):
    def get_object(self):
        return selectors.org_get_for_member(
            user=self.request.user, credit_code=self.kwargs["credit_code"]
        )


# --- The desk -------------------------------------------------------------------------------


class DeskView(OrgPageMixin, TemplateView):
    """The organisation's social work: its projects and the requests matched to them (the
    address masked and the need redacted: the full text is on a case's own page)."""

    template_name = "socialorgs/socialwork/desk.html"

    def get_context_data(self, **kwargs):
        organisation = self.object
        requests = list(
            selectors.request_list_for_org(organisation=organisation)[: selectors.LIST_LIMIT]
        )
        for service_request in requests:
            service_request.redacted = selectors.request_redacted(service_request)
        return super().get_context_data(
            organisation=organisation,
            projects=selectors.project_list_for_org(organisation=organisation),
            requests=requests,
            workers=selectors.worker_summary_public(organisation),
            manages=selectors.is_org_manager(self.request.user, organisation),
            **kwargs,
        )


class WorkersView(OrgPageMixin, TemplateView):
    """The organisation's social workers in full (a read of personal data, audit-logged),
    and the form to add one."""

    template_name = "socialorgs/socialwork/workers.html"

    def get_context_data(self, form=None, **kwargs):
        organisation = self.object
        workers = list(selectors.worker_list_for_org(organisation=organisation))
        services.social_workers_read(
            organisation=organisation,
            actor=self.request.user,
            workers=workers,
            request=self.request,
        )
        manages = selectors.is_org_manager(self.request.user, organisation)
        return super().get_context_data(
            organisation=organisation,
            workers=workers,
            manages=manages,
            form=(form or WorkerForm()) if manages else None,
            **kwargs,
        )

    def post(self, request, credit_code):
        if not selectors.is_org_manager(request.user, self.object):
            raise PermissionDenied
        form = WorkerForm(request.POST)
        if form.is_valid():
            try:
                services.social_worker_add(
                    organisation=self.object,
                    actor=request.user,
                    data=form.service_data(),
                    request=request,
                )
            except SocialOrgError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("已添加社会工作者。"))
                return redirect("socialorgs:sw-workers", credit_code=credit_code)
        return self.render_to_response(self.get_context_data(form=form))


class WorkerEditView(MemberPageMixin, TemplateView):
    """Edit a social worker's record, or take them off duty (在岗 unticked)."""

    template_name = "socialorgs/socialwork/worker_edit.html"

    def get_object(self):
        return selectors.worker_get_for_member(user=self.request.user, pk=self.kwargs["pk"])

    def get_context_data(self, form=None, **kwargs):
        worker = self.object
        services.social_workers_read(
            organisation=worker.organisation,
            actor=self.request.user,
            workers=[worker],
            request=self.request,
        )
        if form is None:
            form = WorkerEditForm(
                initial={
                    "name": worker.name,
                    "level": worker.level,
                    "certificate_number": worker.certificate_number,
                    "certified_on": worker.certified_on.isoformat(),
                    "active": worker.active,
                }
            )
        return super().get_context_data(
            worker=worker,
            organisation=worker.organisation,
            form=form,
            manages=selectors.is_org_manager(self.request.user, worker.organisation),
            **kwargs,
        )

    def post(self, request, pk):
        worker = self.object
        if not selectors.is_org_manager(request.user, worker.organisation):
            raise PermissionDenied
        form = WorkerEditForm(request.POST)
        if form.is_valid():
            try:
                services.social_worker_update(
                    worker=worker, actor=request.user, data=form.service_data(), request=request
                )
            except SocialOrgError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("已保存。"))
                return redirect(
                    "socialorgs:sw-workers", credit_code=worker.organisation.credit_code
                )
        return self.render_to_response(self.get_context_data(form=form))


# --- Projects -------------------------------------------------------------------------------


class ProjectCreateView(OrgPageMixin, TemplateView):
    template_name = "socialorgs/socialwork/project_form.html"

    def get_context_data(self, form=None, **kwargs):
        return super().get_context_data(
            organisation=self.object, form=form or ProjectForm(), project=None, **kwargs
        )

    def get(self, request, *args, **kwargs):
        if not selectors.is_org_manager(request.user, self.object):
            raise PermissionDenied
        return super().get(request, *args, **kwargs)

    def post(self, request, credit_code):
        if not selectors.is_org_manager(request.user, self.object):
            raise PermissionDenied
        form = ProjectForm(request.POST)
        if form.is_valid():
            try:
                project = services.project_create(
                    organisation=self.object,
                    actor=request.user,
                    data=form.cleaned_data,
                    request=request,
                )
            except SocialOrgError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("项目已保存为草稿，确认无误后请发布。"))
                return redirect("socialorgs:sw-project", pk=project.pk)
        return self.render_to_response(self.get_context_data(form=form))


class ProjectManageView(MemberPageMixin, TemplateView):
    """A project of the organisation's: its places, publish or close it, and (while a draft)
    the form to change it."""

    template_name = "socialorgs/socialwork/project_form.html"

    def get_object(self):
        return selectors.project_get_for_member(user=self.request.user, pk=self.kwargs["pk"])

    def get_context_data(self, form=None, **kwargs):
        project = self.object
        manages = selectors.is_org_manager(self.request.user, project.organisation)
        if form is None and manages and project.status == project.Status.DRAFT:
            form = ProjectForm(initial=ProjectForm.initial_of(project))
        return super().get_context_data(
            organisation=project.organisation,
            project=project,
            form=form,
            manages=manages,
            **kwargs,
        )

    def post(self, request, pk):
        project = self.object
        if not selectors.is_org_manager(request.user, project.organisation):
            raise PermissionDenied
        form = ProjectForm(request.POST)
        if form.is_valid():
            try:
                services.project_update(
                    project=project, actor=request.user, data=form.cleaned_data, request=request
                )
            except SocialOrgError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("已保存。"))
                return redirect("socialorgs:sw-project", pk=pk)
        return self.render_to_response(self.get_context_data(form=form))


class ProjectStatusView(MemberPageMixin, View):
    """Publish a draft or close a project (POST `action`)."""

    def get_object(self):
        return selectors.project_get_for_member(user=self.request.user, pk=self.kwargs["pk"])

    def post(self, request, pk):
        project = self.object
        if not selectors.is_org_manager(request.user, project.organisation):
            raise PermissionDenied
        form = ProjectStatusForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("请选择要进行的操作。"))
            return redirect("socialorgs:sw-project", pk=pk)
        try:
            if form.cleaned_data["action"] == "publish":
                services.project_publish(project=project, actor=request.user, request=request)
                messages.success(request, _("项目已发布，居民可以在地图上找到它。"))
            else:
                services.project_close(
                    project=project,
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                    request=request,
                )
                messages.success(request, _("项目已结项。"))
        except SocialOrgError as exc:
            messages.error(request, exc.message)
        return redirect("socialorgs:sw-project", pk=pk)


# --- Requests -------------------------------------------------------------------------------


class OrgRequestView(MemberPageMixin, TemplateView):
    """A request matched to one of the organisation's projects. Once the resident accepted,
    the address and the need are shown in full (an audited read); before, masked."""

    template_name = "socialorgs/socialwork/org_request.html"

    def get_object(self):
        return selectors.request_get_for_org_member(user=self.request.user, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        service_request = self.object
        full = services.service_request_full_view(
            service_request=service_request, actor=self.request.user, request=self.request
        )
        organisation = service_request.project.organisation
        return super().get_context_data(
            service_request=service_request,
            organisation=organisation,
            shown=full or selectors.request_redacted(service_request),
            full=full is not None,
            distance_km=(service_request.match_explanation or {}).get("distance_km"),
            manages=selectors.is_org_manager(self.request.user, organisation),
            reasons=REASONS,
            **kwargs,
        )

    def post(self, request, pk):
        service_request = self.object
        if not selectors.is_org_manager(request.user, service_request.project.organisation):
            raise PermissionDenied
        form = OrgRequestActionForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("请选择要进行的操作。"))
            return redirect("socialorgs:sw-org-request", pk=pk)
        data = form.cleaned_data
        try:
            if data["action"] == "decline":
                services.service_request_org_decline(
                    service_request=service_request,
                    actor=request.user,
                    reason=data["reason"],
                    request=request,
                )
                messages.success(request, _("已婉拒，平台将为居民重新匹配。"))
                return redirect(
                    "socialorgs:sw-desk",
                    credit_code=service_request.project.organisation.credit_code,
                )
            services.service_request_complete(
                service_request=service_request,
                actor=request.user,
                note=data["note"],
                request=request,
            )
            messages.success(request, _("已标记为服务完成。"))
        except SocialOrgError as exc:
            messages.error(request, exc.message)
        return redirect("socialorgs:sw-org-request", pk=pk)


# --- Officials: the purchase catalogue ----------------------------------------------------------


class CivilAffairsMixin(OfficialRequiredMixin):
    """民政 officials; anonymous visitors log in, everyone else is refused (403)."""

    role_predicate = staticmethod(is_civil_affairs_official)


class OfficialCatalogueView(CivilAffairsMixin, TemplateView):
    """The catalogue items of the official's jurisdiction, and the form to add one."""

    template_name = "socialorgs/socialwork/official_catalogue.html"

    def get_context_data(self, form=None, **kwargs):
        official = self.request.user
        return super().get_context_data(
            items=selectors.catalogue_list_for_official(official=official)[: selectors.LIST_LIMIT],
            form=form or CatalogueItemForm(official=official),
            **kwargs,
        )

    def post(self, request):
        form = CatalogueItemForm(request.POST, official=request.user)
        if form.is_valid():
            try:
                services.catalogue_item_create(
                    official=request.user, data=form.cleaned_data, request=request
                )
            except SocialOrgError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("目录项已保存，发布后对社会公开。"))
                return redirect("socialorgs:sw-official-catalogue")
        return self.render_to_response(self.get_context_data(form=form))


class CatalogueStatusView(CivilAffairsMixin, View):
    """Publish or withdraw an item of the official's jurisdiction (POST `action`)."""

    def post(self, request, pk):
        item = selectors.catalogue_item_get_for_official(official=request.user, pk=pk)
        if item is None:
            raise Http404
        form = CatalogueStatusForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("请选择要进行的操作。"))
            return redirect("socialorgs:sw-official-catalogue")
        try:
            if form.cleaned_data["action"] == "publish":
                services.catalogue_item_publish(item=item, official=request.user, request=request)
                messages.success(request, _("目录项已发布。"))
            else:
                services.catalogue_item_withdraw(item=item, official=request.user, request=request)
                messages.success(request, _("目录项已撤回。"))
        except SocialOrgError as exc:
            messages.error(request, exc.message)
        return redirect("socialorgs:sw-official-catalogue")
