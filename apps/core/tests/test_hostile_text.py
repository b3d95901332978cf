"""Text that cannot be stored (a NUL, a lone surrogate) is refused with a message."""

import pytest
from django.core.exceptions import ValidationError

from apps.audit.version_views import RevertForm
from apps.core.admin import ReasonForm, reason_field
from apps.core.validators import validate_no_surrogates, validate_storable_text

UNSTORABLE = ["\ud800", "a\udfffb", "\udc00\ud800"]


@pytest.mark.parametrize("text", [*UNSTORABLE, "\x00", "a\x00"])
def test_validate_storable_text_refuses_nul_and_lone_surrogates(text):
    with pytest.raises(ValidationError, match="not allowed"):
        validate_storable_text(text)


@pytest.mark.parametrize(
    "text", ["", "plain", "naïve café", "财务部", "emoji 😀", "tab\tnew\nline"]
)
def test_ordinary_text_passes(text):
    validate_storable_text(text)
    validate_no_surrogates(text)


@pytest.mark.parametrize("form_class", [ReasonForm, RevertForm])
@pytest.mark.parametrize("text", UNSTORABLE)
def test_reason_forms_refuse_a_lone_surrogate_with_a_message(form_class, text):
    form = form_class({"reason": text})
    assert not form.is_valid()
    assert form.errors["reason"] == ["The text contains a character that is not allowed."]


def test_reason_forms_refuse_nul_with_one_message():
    form = ReasonForm({"reason": "a\x00b"})
    assert not form.is_valid()
    assert len(form.errors["reason"]) == 1


@pytest.mark.parametrize("text", UNSTORABLE)
def test_the_change_forms_reason_refuses_a_lone_surrogate(text):
    with pytest.raises(ValidationError, match="not allowed"):
        reason_field().clean(text)
