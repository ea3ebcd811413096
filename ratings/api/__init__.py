"""API of the ratings app, one module per sub-domain; each module has its `urlpatterns`."""
