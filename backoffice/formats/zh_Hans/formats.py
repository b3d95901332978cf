"""Simplified Chinese formats: Django's, with seconds, and amounts grouped by thousands.

Django groups Chinese figures by four digits with no separator; salaries and other amounts
read as in Chinese finance and HR software instead: ¥12,345.00.
"""

DATETIME_FORMAT = "Y年n月j日 H:i:s"  # 2026年12月2日 10:28:05
SHORT_DATETIME_FORMAT = "Y-m-d H:i:s"  # 2026-12-02 10:28:05
TIME_FORMAT = "H:i:s"  # 10:28:05
YEAR_MONTH_FORMAT = "Y年n月"  # 2026年1月
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
