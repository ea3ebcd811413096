"""API of the volunteers app, one module per sub-domain; routes in volunteers/api_urls.py."""
