"""Date formats on English pages (24-hour clock, as in China)."""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "l j F Y, H:i"
SHORT_DATETIME_FORMAT = "D j M, H:i"
MONTH_DAY_FORMAT = "D j M"
TIME_FORMAT = "H:i"
