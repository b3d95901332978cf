"""The types the admin and views share (apps.core.types), as they behave at run time."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from apps.core.admin import DomainAdmin, ReadOnlyLogAdmin, SoftDeleteDomainAdmin
from apps.core.types import signed_in
from apps.org.admin import EmployeeAdmin
from apps.org.models import Employee
from apps.security.models import LoginEvent

pytestmark = pytest.mark.django_db


def test_signed_in_is_the_employee_of_a_request_behind_login(rf, staff_user):
    request = rf.get("/admin/")
    request.user = staff_user
    assert signed_in(request) == staff_user


def test_signed_in_refuses_an_anonymous_request_rather_than_serving_it(rf):
    request = rf.get("/admin/")
    request.user = AnonymousUser()
    with pytest.raises(PermissionDenied):
        signed_in(request)


def test_the_admin_bases_take_their_model_as_a_parameter_at_run_time():
    """``SoftDeleteDomainAdmin[Employee]`` is what an app's admin subclasses: the generic
    parameter is only for the type checker, the class is the base itself."""
    assert issubclass(EmployeeAdmin, SoftDeleteDomainAdmin)
    assert SoftDeleteDomainAdmin[Employee].__origin__ is SoftDeleteDomainAdmin
    assert DomainAdmin[Employee].__origin__ is DomainAdmin
    assert ReadOnlyLogAdmin[LoginEvent].__origin__ is ReadOnlyLogAdmin


@pytest.mark.parametrize("query", ["q=%00&q=a", "is_active=1&is_active=%00"])
def test_a_nul_in_any_value_of_a_repeated_parameter_is_a_400(client, make_user, query):
    """Every value counts, not only the last one Django's ``QueryDict.items()`` yields."""
    client.force_login(make_user("admin"))
    response = client.get(f"/admin/org/employee/?{query}")
    assert response.status_code == 400
