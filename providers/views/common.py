"""Small helpers the providers pages share."""

from __future__ import annotations

from django.http import Http404

from portal.errors import DomainError
from providers import selectors


def staff_provider_or_404(request, pk):
    """The organisation `pk` if the signed-in person works for it; otherwise it does not exist."""
    provider = selectors.provider_get_for_staff(user=request.user, pk=pk)
    if provider is None:
        raise Http404
    return provider


def apply_error(form, error: DomainError) -> None:
    """Show a domain error on its field when the form has it, else at the top of the form."""
    form.add_error(error.field if error.field in form.fields else None, str(error.message))
