"""Vigil's date and time formats (FORMAT_MODULE_PATH): 24-hour, ISO dates, with the time
zone, in the admin as in the app (Django's English defaults are 12-hour)."""

DATETIME_FORMAT = "Y-m-d H:i T"
DATE_FORMAT = "Y-m-d"
TIME_FORMAT = "H:i"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
SHORT_DATE_FORMAT = "Y-m-d"
DATETIME_INPUT_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d"]
