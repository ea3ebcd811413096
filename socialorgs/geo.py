"""Distances and plane coordinates for social work's map and matching (GCJ-02 degrees).

Great-circle distances by the haversine formula; for the map, an equirectangular projection
around a centre point, in kilometres, so a radius in km is a circle on the plot."""

from __future__ import annotations

import math
from decimal import Decimal

EARTH_KM = 6371.0
KM_PER_DEGREE_LAT = 110.57
KM_PER_DEGREE_LNG_AT_EQUATOR = 111.32
# The mainland's bounding box, as the models' COORDINATES_IN_CHINA constraint states it.
LAT_MIN, LAT_MAX = Decimal("3.8"), Decimal("53.6")
LNG_MIN, LNG_MAX = Decimal("73.4"), Decimal("135.1")


def haversine_km(lat1, lng1, lat2, lng2) -> float:
    """The great-circle distance between two points, in kilometres."""
    phi1, phi2 = math.radians(float(lat1)), math.radians(float(lat2))
    dphi = phi2 - phi1
    dlmb = math.radians(float(lng2) - float(lng1))
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(a)))


def in_china(lat, lng) -> bool:
    return LAT_MIN <= Decimal(str(lat)) <= LAT_MAX and LNG_MIN <= Decimal(str(lng)) <= LNG_MAX


def bounding_box(points: list[tuple[float, float]], margin_km: float) -> tuple[float, ...]:
    """(lat_min, lat_max, lng_min, lng_max) around the points, widened by `margin_km`: a cheap
    SQL pre-filter before the exact distance."""
    lats = [float(p[0]) for p in points]
    lngs = [float(p[1]) for p in points]
    dlat = margin_km / KM_PER_DEGREE_LAT
    widest = max(abs(min(lats)), abs(max(lats)))
    dlng = margin_km / (KM_PER_DEGREE_LNG_AT_EQUATOR * max(math.cos(math.radians(widest)), 0.01))
    return min(lats) - dlat, max(lats) + dlat, min(lngs) - dlng, max(lngs) + dlng


def km_xy(lat, lng, *, centre: tuple[float, float]) -> tuple[float, float]:
    """Plane coordinates in km east (x) and south (y, as SVG counts) of `centre`."""
    lat0, lng0 = centre
    x = (float(lng) - lng0) * KM_PER_DEGREE_LNG_AT_EQUATOR * math.cos(math.radians(lat0))
    y = (lat0 - float(lat)) * KM_PER_DEGREE_LAT
    return x, y
