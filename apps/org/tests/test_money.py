from decimal import Decimal

from django.utils import formats, translation

from apps.org.money import salary_format


def test_salary_grouped_with_currency_in_english(settings):
    settings.SALARY_CURRENCY = "CNY"
    with translation.override("en"):
        assert salary_format(Decimal("1234567.5")) == "¥1,234,567.50"


def test_salary_grouped_by_thousands_in_chinese_too(settings):
    settings.SALARY_CURRENCY = "CNY"
    with translation.override("zh-hans"):
        assert salary_format(Decimal("12345")) == "¥12,345.00"


def test_currency_without_symbol_reads_as_its_code(settings):
    settings.SALARY_CURRENCY = "chf"
    with translation.override("en"):
        assert salary_format(1000) == "CHF 1,000.00"


def test_missing_or_unreadable_salary():
    assert salary_format(None) == "—"
    assert salary_format("") == "—"
    assert salary_format("n/a") == "n/a"


def test_times_read_to_the_second_in_both_languages():
    import datetime

    moment = datetime.datetime(2026, 12, 2, 10, 28, 5, tzinfo=datetime.UTC)
    with translation.override("en"):
        assert formats.date_format(moment, "DATETIME_FORMAT") == "Dec. 2, 2026, 10:28:05"
    with translation.override("zh-hans"):
        assert formats.date_format(moment, "DATETIME_FORMAT") == "2026年12月2日 10:28:05"
        assert formats.date_format(moment.date(), "YEAR_MONTH_FORMAT") == "2026年12月"
