"""Entity tags on scorecard reads and the dispatch feed: 304 for a caller holding the tag,
only after the permission and scope checks, and a new tag once another evaluation is
published. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import httpx
from fastapi.testclient import TestClient

from riderperf.clock import fixed_clock
from riderperf.evaluation.service import evaluate_period
from tests.integration import test_api_support as support
from tests.integration.test_api_support import DECIDED_AT, PERIOD, City

# The shared fixtures, module-scoped: one prepared city per database backend.
api_city = support.api_city
api_backend = support.api_backend
api_dataset = support.api_dataset
client = support.client


def card_url(rider_id: str) -> str:
    return f"/api/v1/riders/{rider_id}/scorecards/{PERIOD.label}"


def get(
    client: TestClient, city: City, who: str | None, url: str, tag: str | None = None
) -> httpx.Response:
    headers = city.headers(who) | ({"If-None-Match": tag} if tag else {})
    return client.get(url, headers=headers)


def test_a_scorecard_answers_304_without_a_body_to_a_caller_holding_its_tag(
    client: TestClient, api_city: City
) -> None:
    for url in (card_url(api_city.rider_a), f"/api/v1/riders/{api_city.rider_a}/scorecard"):
        first = get(client, api_city, "admin", url)
        assert first.status_code == 200
        tag = first.headers["ETag"]
        assert tag.startswith('"') and tag.endswith('"')
        assert first.headers["Cache-Control"] == "private, no-cache"
        again = get(client, api_city, "rider", url, tag)
        assert again.status_code == 304
        assert again.content == b""
        assert again.headers["ETag"] == tag
        assert again.headers["Cache-Control"] == "private, no-cache"
        assert again.headers["X-Frame-Options"] == "DENY"
        other = get(client, api_city, "admin", url, '"not-this-one", W/' + tag)
        assert other.status_code == 304
        stale = get(client, api_city, "admin", url, '"not-this-one"')
        assert stale.status_code == 200
        assert stale.json() == first.json()


def test_a_caller_who_may_not_see_the_scorecard_never_gets_304(
    client: TestClient, api_city: City
) -> None:
    url = card_url(api_city.rider_a)
    tag = get(client, api_city, "admin", url).headers["ETag"]
    assert get(client, api_city, "rider_b", url, tag).status_code == 404
    assert get(client, api_city, "fleet_manager", url, tag).status_code == 404
    assert get(client, api_city, None, url, tag).status_code == 401
    assert get(client, api_city, "rider_b", url, "*").status_code == 404
    missing = get(
        client, api_city, "admin", f"/api/v1/riders/{api_city.rider_a}/scorecards/2025-W01", "*"
    )
    assert missing.status_code == 404
    own = get(client, api_city, "rider", url, tag)
    assert own.status_code == 304  # the rider's own scorecard


def test_other_answers_stay_no_store(client: TestClient, api_city: City) -> None:
    listed = get(client, api_city, "admin", f"/api/v1/scorecards?period={PERIOD.label}")
    assert listed.headers["Cache-Control"] == "no-store"
    assert "ETag" not in listed.headers
    missing = get(client, api_city, "rider_b", card_url(api_city.rider_a))
    assert missing.headers["Cache-Control"] == "no-store"


def test_the_dispatch_feed_answers_304_while_no_weight_changed(
    client: TestClient, api_city: City
) -> None:
    url = "/api/v1/dispatch/priority"
    first = get(client, api_city, "admin", url)
    assert first.status_code == 200 and first.json()["items"]
    tag = first.headers["ETag"]
    assert tag.startswith('W/"')
    assert first.headers["Cache-Control"] == "private, no-cache"
    assert get(client, api_city, "ops_manager", url, tag).status_code == 304
    assert get(client, api_city, "reviewer", url, tag).status_code == 403
    assert get(client, api_city, None, url, tag).status_code == 401
    one = get(client, api_city, "admin", f"{url}?rider_id={api_city.rider_a}", tag)
    assert one.status_code == 200  # another feed: one rider's weight
    assert one.headers["ETag"] != tag


def test_a_newly_published_evaluation_changes_the_scorecard_tag(
    client: TestClient, api_city: City
) -> None:
    url = card_url(api_city.rider_a)
    before = get(client, api_city, "admin", url)
    result = evaluate_period(
        api_city.settings,
        PERIOD,
        clock=fixed_clock(DECIDED_AT + timedelta(hours=1)),
        purpose="official",
    )
    assert result.evaluation_id != before.json()["evaluation_id"]
    after = get(client, api_city, "admin", url, before.headers["ETag"])
    assert after.status_code == 200
    assert after.json()["evaluation_id"] == result.evaluation_id
    assert after.headers["ETag"] != before.headers["ETag"]
    assert get(client, api_city, "admin", url, after.headers["ETag"]).status_code == 304
