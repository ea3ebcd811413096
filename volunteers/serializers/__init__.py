"""Serializers of the volunteers API, one module per sub-domain."""
