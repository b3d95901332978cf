import json
import uuid

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

CHART = reverse("admin:org_department_chart")


def _chart(response):
    html = response.content.decode()
    start = html.index('<script id="org-chart-data" type="application/json">')
    body = html[start:].split(">", 1)[1].split("</script>", 1)[0]
    return json.loads(body)


def test_it_lives_under_the_department_admin():
    assert CHART == "/admin/org/department/chart/"


def test_it_renders_the_whole_organisation_for_hr(hr_client, tree):
    response = hr_client.get(CHART)
    assert response.status_code == 200
    (bog,) = _chart(response)
    assert bog["code"] == "BOG"
    assert bog["headcount"] == 1  # hr itself
    assert [c["code"] for c in bog["children"]] == ["ENG", "FIN"]
    assert response.context["depth"] == 3
    assert b'id="org-chart-labels"' in response.content
    assert b"org/orgchart.js" in response.content


def test_a_root_and_depth_pick_the_subtree(hr_client, tree):
    response = hr_client.get(CHART, {"root": str(tree["eng"].pk), "depth": "1"})
    assert response.status_code == 200
    (eng,) = _chart(response)
    assert eng["code"] == "ENG"
    assert eng["children"] == []
    assert eng["has_more"] is True
    assert b"Whole organisation" in response.content


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(CHART)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.mark.parametrize("root", ["not-a-uuid", "1", "' OR 1=1 --", "%00"])
def test_a_malformed_root_is_a_404(hr_client, root):
    assert hr_client.get(CHART, {"root": root}).status_code == 404


def test_an_unknown_root_is_a_404(hr_client):
    assert hr_client.get(CHART, {"root": str(uuid.uuid4())}).status_code == 404


@pytest.mark.parametrize(
    ("raw", "depth", "notice"),
    [
        ("-1", 1, True),
        ("0", 1, True),
        ("999", 6, True),
        ("abc", 3, True),
        ("1e9", 3, True),
        ("", 3, False),
        ("4", 4, False),
    ],
)
def test_hostile_depths_are_clamped_with_a_notice(hr_client, tree, raw, depth, notice):
    response = hr_client.get(CHART, {"depth": raw})
    assert response.status_code == 200
    assert response.context["depth"] == depth
    assert (b'data-testid="chart-depth-notice"' in response.content) is notice


def test_the_department_list_links_to_the_chart(hr_client):
    response = hr_client.get(reverse("admin:org_department_changelist"))
    assert f'href="{CHART}"'.encode() in response.content


def test_the_sidebar_offers_the_chart_to_hr(hr_client):
    response = hr_client.get(reverse("admin:index"))
    assert CHART.encode() in response.content
