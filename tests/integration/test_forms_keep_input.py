"""A refused form keeps what was typed: the rider's appeal comes back with the error, the
form of that decision open and the statement in it (the files must be chosen again); the
inspector's checklist comes back with every answer, the place and the notes."""

from __future__ import annotations

import html

from fastapi.testclient import TestClient

from tests.integration import test_api_support as support
from tests.integration.test_api_support import City
from tests.integration.test_http_hardening import web_sign_in

api_city = support.api_city
api_backend = support.api_backend
api_dataset = support.api_dataset
client = support.client

STATEMENT = "Le restaurant était fermé <à 21 h> ; voir la photo & le reçu."


def test_a_refused_appeal_keeps_the_statement_in_the_form_of_its_decision(
    client: TestClient, api_city: City
) -> None:
    decisions = client.get(
        f"/api/v1/decisions?rider_id={api_city.rider_a}&status=in_effect",
        headers=api_city.headers("rider"),
    ).json()["items"]
    appealable = [d["decision_id"] for d in decisions if d["offence"] and d["appeal_deadline"]]
    csrf = web_sign_in(client, "rider")
    too_many = [("evidence", (f"p{i}.jpg", b"\xff\xd8photo", "image/jpeg")) for i in range(11)]
    refused = client.post(
        "/portal/appeals",
        data={
            "subject_type": "decision",
            "subject_id": appealable[0],
            "statement": STATEMENT,
            "csrf_token": csrf,
        },
        files=too_many,
    )
    fresh = client.get("/portal/decisions")
    client.cookies.clear()
    assert refused.status_code == 413
    page = refused.text
    assert page.count(html.escape(STATEMENT, quote=False)) == 1
    opened = page.split(f'data-subject="{appealable[0]}" open>')
    assert len(opened) == 2 and html.escape(STATEMENT, quote=False) in opened[1].split("</form>")[0]
    assert html.escape(STATEMENT, quote=False) not in fresh.text
    assert " open>" not in fresh.text


def test_a_refused_checklist_keeps_every_answer_the_place_and_the_notes(
    client: TestClient, api_city: City
) -> None:
    csrf = web_sign_in(client, "inspector")
    answers = {
        "item:helmet": "worn_unfastened",
        "item:tyre_tread_mm": "deep",  # not a number: the form is refused
        "place": "Rua Augusta <stand 4>",
        "notes": "Rider waited & was polite.",
    }
    refused = client.post(
        f"/inspector/riders/{api_city.rider_b}", data=answers | {"csrf_token": csrf}
    )
    forged = client.post(f"/inspector/riders/{api_city.rider_b}", data=answers)
    client.cookies.clear()
    for page in (refused, forged):
        assert page.status_code in (422, 403), page.status_code
        text = page.text
        assert '<option value="worn_unfastened" selected>' in text
        assert 'value="deep"' in text
        assert 'value="Rua Augusta &lt;stand 4&gt;"' in text
        assert ">Rider waited &amp; was polite.</textarea>" in text
