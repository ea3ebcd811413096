"""Date formats on Chinese pages: weekdays spelt out, because older residents plan by them."""

DATE_FORMAT = "Y年n月j日"
DATETIME_FORMAT = "Y年n月j日 l H:i"
SHORT_DATETIME_FORMAT = "n月j日 D H:i"
MONTH_DAY_FORMAT = "n月j日 D"
TIME_FORMAT = "H:i"
