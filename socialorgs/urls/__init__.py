"""Pages of the socialorgs app, under /socialorgs/ (社会组织): one module per area."""

from socialorgs.urls import charity, credit, registry, socialwork

app_name = "socialorgs"

urlpatterns = [
    *registry.urlpatterns,
    *credit.urlpatterns,
    *socialwork.urlpatterns,
    *charity.urlpatterns,
]
