"""API routes of the socialorgs app, under /api/v1/socialorgs/: one module per area."""

from socialorgs.api import charity, credit, registry, socialwork

urlpatterns = [*registry.routes, *credit.routes, *socialwork.routes, *charity.routes]
