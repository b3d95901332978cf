"""English formats: Django's, with a 24-hour clock and seconds everywhere a time shows.

A security officer reads login events to the second, and the trail, the lists and the
e-mails must agree on one way to write a moment (FORMAT_MODULE_PATH in settings).
"""

DATETIME_FORMAT = "N j, Y, H:i:s"  # Dec. 2, 2026, 10:28:05
SHORT_DATETIME_FORMAT = "Y-m-d H:i:s"  # 2026-12-02 10:28:05
TIME_FORMAT = "H:i:s"  # 10:28:05
