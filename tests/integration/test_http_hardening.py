"""What an outside caller can do to the HTTP server before and around signing in: send large
bodies without credentials, frame or cache pages, forge the login form, or learn from the
portal whether another rider's ids exist. The app runs under uvicorn on a free port where
the body must really stream, and under the test client elsewhere."""

from __future__ import annotations

import http.client
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from riderperf.api.headers import SECURITY_HEADERS
from riderperf.api.limits import ANONYMOUS_BODY_BYTES, MIB
from riderperf.clock import fixed_clock
from riderperf.server import create_app
from riderperf.web.routes import LOGIN_CSRF_COOKIE
from tests.integration import test_api_support as support
from tests.integration.test_api_support import NOW, PASSWORD, City
from tests.live import serving

api_city = support.api_city
api_backend = support.api_backend
api_dataset = support.api_dataset
client = support.client

UPLOAD_BYTES = 300 * MIB
CHUNK = MIB
BOUNDARY = "riderperf-test-boundary"


@pytest.fixture
def temp_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The process's temporary folder, where multipart parsing spools uploaded files."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.fixture(scope="module")
def server(api_city: City) -> Iterator[int]:
    """The app under uvicorn on a free port (the body arrives as the client sends it)."""
    with serving(create_app(api_city.settings, clock=fixed_clock(NOW))) as port:
        yield port


def folder_bytes(folder: Path) -> int:
    """The bytes of the files in `folder`, counting the unnamed ones this process holds
    open there (temporary files are unlinked, or created with O_TMPFILE, at once)."""
    named = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    unnamed = 0
    for fd in Path("/proc/self/fd").iterdir():
        try:
            if os.readlink(fd).startswith(str(folder)):
                unnamed += fd.stat().st_size
        except OSError:
            continue  # closed meanwhile
    return named + unnamed


def multipart_head(field: str, filename: str) -> bytes:
    return (
        f"--{BOUNDARY}\r\nContent-Disposition: form-data; name={field!r}; "
        f'filename="{filename}"\r\nContent-Type: application/zip\r\n\r\n'
    ).encode()


def upload(
    port: int, path: str, folder: Path, *, declare_length: bool, headers: dict[str, str]
) -> tuple[int | None, int, int]:
    """Posts a 300 MiB multipart file to `path`, a mebibyte at a time, chunked or with its
    length declared; returns the status answered (None when the server only closed the
    connection), the bytes sent and the largest growth of `folder` seen while sending.
    Stops early once the folder grew by a mebibyte: the test has failed by then."""
    start = folder_bytes(folder)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.putrequest("POST", path)
    connection.putheader("Content-Type", f"multipart/form-data; boundary={BOUNDARY}")
    for name, value in headers.items():
        connection.putheader(name, value)
    head = multipart_head("archive", "dataset.zip")
    if declare_length:
        connection.putheader("Content-Length", str(len(head) + UPLOAD_BYTES))
    else:
        connection.putheader("Transfer-Encoding", "chunked")
    connection.endheaders()
    sent, grown = 0, 0
    chunk = b"\0" * CHUNK
    try:
        for piece in [head] + [chunk] * (UPLOAD_BYTES // CHUNK):
            connection.send(piece if declare_length else b"%x\r\n%s\r\n" % (len(piece), piece))
            sent += len(piece)
            grown = max(grown, folder_bytes(folder) - start)
            if grown > MIB:
                break
    except OSError:
        pass  # the server answered and closed the connection: the rest is not read
    try:
        status: int | None = connection.getresponse().status
    except OSError:
        status = None
    connection.close()
    return status, sent, max(grown, folder_bytes(folder) - start)


@pytest.mark.parametrize("declare_length", [True, False], ids=["declared", "chunked"])
@pytest.mark.parametrize("path", ["/api/v1/imports", "/portal/appeals", "/login"])
def test_an_anonymous_300_mib_upload_is_refused_before_it_reaches_the_disk(
    server: int, temp_folder: Path, path: str, declare_length: bool
) -> None:
    status, _sent, grown = upload(
        server, path, temp_folder, declare_length=declare_length, headers={}
    )
    assert grown < MIB, f"the temporary folder grew by {grown:,} bytes"
    assert status in (413, None), status


def test_a_made_up_bearer_token_does_not_open_the_gate(server: int, temp_folder: Path) -> None:
    headers = {"Authorization": "Bearer made-up-token"}
    status, _sent, grown = upload(
        server, "/api/v1/imports", temp_folder, declare_length=True, headers=headers
    )
    assert grown < MIB and status == 413


def test_a_signed_in_caller_reaches_the_routes_own_limit(
    client: TestClient, api_city: City
) -> None:
    body = b"x" * (ANONYMOUS_BODY_BYTES + 1)
    files = {"archive": ("dataset.zip", body, "application/zip")}
    anonymous = client.post("/api/v1/imports", files=files)
    signed_in = client.post("/api/v1/imports", files=files, headers=api_city.headers("admin"))
    assert anonymous.status_code == 413
    assert "sign in first" in anonymous.json()["error"]["message"]
    # Past the gate, the route reads the upload and finds it is not a zip archive.
    assert signed_in.status_code == 400
    assert "zip" in signed_in.json()["error"]["message"]


def test_a_plain_form_page_takes_at_most_a_mebibyte_even_signed_in(
    client: TestClient, api_city: City
) -> None:
    decision = "d" * 10
    huge = {"reason": "x" * (2 * MIB)}
    answer = client.post(
        f"/dashboard/approvals/{decision}/approve",
        data=huge,
        headers=api_city.headers("admin"),
        follow_redirects=False,
    )
    assert answer.status_code == 413
    assert answer.headers["x-frame-options"] == "DENY"  # refused inside the headers' reach


@pytest.mark.parametrize(
    "path",
    ["/login", "/dashboard", "/portal", "/api/v1/riders", "/api/v1/health", "/no-such-page"],
)
def test_every_answer_carries_the_security_headers(
    client: TestClient, api_city: City, path: str
) -> None:
    answers = [
        client.get(path, follow_redirects=False),
        client.get(path, headers=api_city.headers("admin"), follow_redirects=False),
        client.get(path, headers=api_city.headers("rider"), follow_redirects=False),
    ]
    for answer in answers:
        for name, value in SECURITY_HEADERS.items():
            assert answer.headers.get(name) == value, (path, answer.status_code, name)
        assert answer.headers.get("cache-control") == "no-store", (path, answer.status_code)
    policy = answers[0].headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]


def test_static_files_may_be_cached_but_keep_the_other_headers(client: TestClient) -> None:
    css = client.get("/static/css/site.css")
    assert css.status_code == 200
    assert "no-store" not in css.headers.get("cache-control", "")
    assert css.headers["x-frame-options"] == "DENY"


def login_form_token(answer_text: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', answer_text)
    assert found, "the login form carries a CSRF token"
    return found.group(1)


def test_the_login_form_is_refused_without_its_own_csrf_token(
    client: TestClient,
) -> None:
    client.cookies.clear()
    credentials = {"username": "admin", "password": PASSWORD}
    forged = client.post("/login", data=credentials, follow_redirects=False)
    assert forged.status_code == 403
    assert "riderperf_session" not in forged.cookies

    token = login_form_token(client.get("/login").text)
    client.cookies.clear()  # a page elsewhere can copy a token but not the browser's cookie
    copied = client.post("/login", data=credentials | {"csrf_token": token}, follow_redirects=False)
    assert copied.status_code == 403

    token = login_form_token(client.get("/login").text)
    assert client.cookies.get(LOGIN_CSRF_COOKIE) == token
    signed_in = client.post(
        "/login", data=credentials | {"csrf_token": token}, follow_redirects=False
    )
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == "/dashboard"
    client.cookies.clear()


def web_sign_in(client: TestClient, username: str) -> str:
    """Signs `username` in through the login form; returns the session's CSRF token."""
    client.cookies.clear()
    token = login_form_token(client.get("/login").text)
    answer = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token},
        follow_redirects=True,
    )
    assert answer.status_code == 200
    return login_form_token(answer.text)


def test_the_portal_answers_alike_for_another_riders_decision_and_a_missing_one(
    client: TestClient, api_city: City
) -> None:
    others = client.get(
        f"/api/v1/decisions?rider_id={api_city.rider_b}&status=in_effect",
        headers=api_city.headers("rider_b"),
    ).json()["items"]
    theirs = next(d["decision_id"] for d in others if d["offence"])
    csrf = web_sign_in(client, "rider")
    answers = {}
    for subject_id in (theirs, "no-such-decision"):
        answers[subject_id] = client.post(
            "/portal/appeals",
            data={
                "subject_type": "decision",
                "subject_id": subject_id,
                "statement": "This was not me.",
                "csrf_token": csrf,
            },
        )
    client.cookies.clear()
    shown = {k: re.sub(re.escape(k), "ID", a.text) for k, a in answers.items()}
    assert {a.status_code for a in answers.values()} == {409}
    assert shown[theirs] == shown["no-such-decision"]
    assert "of yours" in shown[theirs]


def test_the_json_login_takes_json_only_so_a_cross_site_form_cannot_send_it(
    client: TestClient,
) -> None:
    body = b'{"username": "admin", "password": "' + PASSWORD.encode() + b'"}'
    as_text = client.post(
        "/api/v1/auth/login", content=body, headers={"Content-Type": "text/plain"}
    )
    as_json = client.post(
        "/api/v1/auth/login", content=body, headers={"Content-Type": "application/json"}
    )
    client.cookies.clear()
    assert as_text.status_code == 422 and "riderperf_session" not in as_text.cookies
    assert as_json.status_code == 200
    preflight = client.options(
        "/api/v1/auth/login",
        headers={"Origin": "https://elsewhere.example", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in preflight.headers


def test_a_crash_answers_in_the_error_shape_with_the_headers_and_no_trace(
    api_city: City,
) -> None:
    app = create_app(api_city.settings, clock=fixed_clock(NOW))

    def crash() -> None:
        raise RuntimeError("secret detail /srv/riderperf/app.db")

    app.add_api_route("/api/v1/crash", crash)
    app.add_api_route("/crash", crash)
    with TestClient(app, raise_server_exceptions=False) as crashing:
        api, page = crashing.get("/api/v1/crash"), crashing.get("/crash")
    assert api.status_code == 500 and page.status_code == 500
    assert api.json()["error"]["code"] == "internal_error"
    for answer in (api, page):
        assert "secret" not in answer.text and "Traceback" not in answer.text
        for name, value in SECURITY_HEADERS.items():
            assert answer.headers.get(name) == value
        assert answer.headers["cache-control"] == "no-store"
