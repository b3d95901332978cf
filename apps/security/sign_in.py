"""The admin's sign-in form (settings.UNFOLD["LOGIN"]["form"]): unfold's, with a refusal
that speaks to everyone who signs in, not only to "staff accounts"."""

from django.utils.translation import gettext_lazy as _
from unfold.forms import AuthenticationForm


class SignInForm(AuthenticationForm):  # type: ignore[misc]  # unfold ships no types
    """A wrong username or password, or an account that may not use the admin, gets one
    message: which of them it was is not told (Django's own rule)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "Please enter a correct username and password. Note that both fields may be "
            "case-sensitive."
        ),
    }
