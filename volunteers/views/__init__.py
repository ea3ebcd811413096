"""Pages of the volunteers app, one module per sub-domain; routes in volunteers/urls.py."""
