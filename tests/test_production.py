"""The production runtime: health probes, the shipped server command, media with DEBUG off."""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Only what a process needs to run; everything else (the tester's DATABASE_URL, REDIS_URL,
# DJANGO_ALLOW_ASYNC_UNSAFE set by the browser conftest...) would change what is tested.
_KEEP = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV")


def _clean_env(**env: str) -> dict[str, str]:
    base = {k: os.environ[k] for k in _KEEP if k in os.environ}
    return {**base, "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50), **env}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _closed_port() -> int:
    """A port nothing listens on: connecting there is refused at once (no timeout)."""
    return _free_port()


def _get(url: str, timeout: float = 5) -> tuple[int, dict[str, str], bytes]:
    """Status, headers (names in lower case, as HTTP/2-era servers send them), body."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            status, headers, body = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, headers, body = error.code, error.headers, error.read()
    return status, {name.lower(): value for name, value in headers.items()}, body


# --- /healthz and /readyz -----------------------------------------------------------------


def test_healthz_answers_without_touching_the_database(client):
    # No django_db mark: any query here would raise "Database access not allowed".
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_readyz_reports_database_and_cache_reachable(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_probes_answer_a_load_balancer_probing_by_ip_over_plain_http(client, settings):
    # A load balancer sends Host: <instance IP> over HTTP; the site itself would answer
    # that Host with a 400 (ALLOWED_HOSTS) and plain HTTP with a 301 (SECURE_SSL_REDIRECT).
    settings.ALLOWED_HOSTS = ["news.example.org"]
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/", headers={"host": "10.0.3.7:8000"}).status_code == 400
    for path in ("/healthz", "/readyz"):
        response = client.get(path, headers={"host": "10.0.3.7:8000"})
        assert response.status_code == 200, path
        assert response["Cache-Control"] == "no-store"


def _readyz_in_subprocess(tmp_path: Path, **env: str) -> tuple[int, dict]:
    """/readyz answered by a fresh Django process configured by ``env`` alone."""
    script = (
        "import json, django; django.setup()\n"
        "from django.test import Client\n"
        "r = Client().get('/readyz')\n"
        "print(json.dumps({'status': r.status_code, 'cc': r['Cache-Control'], "
        "'body': r.json()}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=_clean_env(
            DJANGO_SETTINGS_MODULE="newsroom.settings",
            SITE_URL="http://testserver",
            LOG_LEVEL="CRITICAL",  # the probe logs the failure's traceback; not wanted here
            **env,
        ),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert answer["cc"] == "no-store"
    return answer["status"], answer["body"]


def test_readyz_is_503_naming_the_database_when_it_is_unreachable(tmp_path):
    status, body = _readyz_in_subprocess(
        tmp_path, DATABASE_URL=f"postgres://postgres@127.0.0.1:{_closed_port()}/newsroom"
    )
    assert status == 503
    assert body["failed"] == ["database"]
    assert body["database"] == "unavailable"
    assert body["cache"] == "ok"


def test_readyz_is_503_naming_the_cache_when_redis_is_unreachable(tmp_path):
    status, body = _readyz_in_subprocess(
        tmp_path,
        DATABASE_URL=f"sqlite:///{tmp_path / 'ready.sqlite3'}",
        REDIS_URL=f"redis://127.0.0.1:{_closed_port()}/5",
    )
    assert status == 503
    assert body["failed"] == ["cache"]
    assert body["database"] == "ok"


# --- the production command ---------------------------------------------------------------


def _serve_env(tmp_path: Path, port: int, **env: str) -> dict[str, str]:
    return _clean_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        ALLOWED_HOSTS="127.0.0.1",
        SITE_URL=f"http://127.0.0.1:{port}",
        STATIC_ROOT=str(tmp_path / "static"),
        MEDIA_ROOT=str(tmp_path / "media"),
        HOST="127.0.0.1",
        PORT=str(port),
        WEB_CONCURRENCY="2",
        **env,
    )


def test_production_command_refuses_to_start_with_unapplied_migrations(tmp_path):
    done = subprocess.run(
        [sys.executable, "manage.py", "serve_production"],
        cwd=ROOT,
        env=_serve_env(tmp_path, _free_port()),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "unapplied migration" in done.stderr
    assert "MIGRATE_ON_START=1" in done.stderr
    assert not (tmp_path / "static").exists()  # stopped before collectstatic


def test_production_command_refuses_debug_on(tmp_path):
    done = subprocess.run(
        [sys.executable, "manage.py", "serve_production"],
        cwd=ROOT,
        env=_serve_env(tmp_path, _free_port(), DEBUG="1"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "DEBUG is on" in done.stderr


def _wait_ready(base: str, server: subprocess.Popen, deadline: float) -> None:
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the server exited with {server.returncode}")
        try:
            if _get(f"{base}/readyz", timeout=1)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    pytest.fail("the server did not become ready in time")


def test_production_command_serves_pages_static_and_new_uploads_then_stops_on_sigterm(
    tmp_path,
):
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "server.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "manage.py", "serve_production"],
            cwd=ROOT,
            env=_serve_env(tmp_path, port, MIGRATE_ON_START="1"),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: a failed test kills the workers too
        )
    try:
        _wait_ready(base, server, time.monotonic() + 40)
        # /readyz answers as soon as one worker is up. granian does not stop a worker that
        # is still importing the app on SIGTERM: it kills it after --workers-kill-timeout
        # (30 s). So the graceful stop below is measured with both workers started.
        deadline = time.monotonic() + 30
        while log.read_text().count("Started worker-") < 2 and time.monotonic() < deadline:
            time.sleep(0.1)

        status, headers, body = _get(f"{base}/")
        assert status == 200
        assert b"</html>" in body

        # A static file under its hashed name, from the manifest collectstatic wrote.
        manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())
        hashed = manifest["paths"]["css/site.css"]
        status, headers, body = _get(f"{base}/static/{hashed}")
        assert status == 200
        assert "immutable" in headers["cache-control"]
        assert body == (ROOT / "static" / "css" / "site.css").read_bytes()

        # An upload written after the server started (what an editor's upload does).
        upload = tmp_path / "media" / "images" / "2026" / "photo.png"
        upload.parent.mkdir(parents=True)
        upload.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
        status, headers, body = _get(f"{base}/media/images/2026/photo.png")
        assert status == 200
        assert headers["content-type"] == "image/png"
        assert headers["cache-control"] == "public, max-age=3600"
        assert body == upload.read_bytes()
    finally:
        started_stopping = time.monotonic()
        server.send_signal(signal.SIGTERM)
        try:
            # granian gives workers up to 30 s (--workers-kill-timeout) to finish requests.
            returncode = server.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            pytest.fail("no graceful stop within 40 s:\n" + log.read_text())
    stop_seconds = time.monotonic() - started_stopping
    output = log.read_text()
    assert stop_seconds < 10, f"SIGTERM took {stop_seconds:.1f}s, nothing in flight:\n{output}"
    assert returncode == 0, output
    assert '"GET / HTTP/1.1" 200' in output  # the access log reaches stdout
    assert "shutdown completed" in output  # granian's graceful stop


# --- media with DEBUG off -----------------------------------------------------------------


@pytest.fixture
def upload(settings) -> Path:
    """A picture in MEDIA_ROOT (a per-test folder, tests/conftest.py), as an upload leaves it."""
    path = Path(settings.MEDIA_ROOT) / "images" / "photo.png"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\1" * 32)
    return path


def test_uploaded_file_is_served_with_debug_off_with_cache_and_sandbox_headers(client, upload):
    response = client.get("/media/images/photo.png")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == upload.read_bytes()
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "public, max-age=3600"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "script-src" not in response["Content-Security-Policy"]  # default-src 'none' rules


def test_unchanged_upload_is_revalidated_with_a_304(client, upload):
    first = client.get("/media/images/photo.png")
    again = client.get(
        "/media/images/photo.png", headers={"if-modified-since": first["Last-Modified"]}
    )
    assert again.status_code == 304


@pytest.mark.parametrize(
    "path",
    [
        "/media/../outside.txt",
        "/media/images/../../outside.txt",
        "/media/%2e%2e/outside.txt",
        "/media//etc/passwd",
    ],
)
def test_media_paths_cannot_reach_files_outside_media_root(client, upload, path):
    (upload.parent.parent.parent / "outside.txt").write_text("not public")
    response = client.get(path)
    assert response.status_code in (400, 404)
    assert b"not public" not in b"".join(getattr(response, "streaming_content", [response.content]))


def test_media_folders_are_not_listed(client, upload):
    assert client.get("/media/images/").status_code == 404


def test_media_refuses_writes(client, upload):
    assert client.post("/media/images/photo.png").status_code == 405


# --- media on S3-compatible object storage ------------------------------------------------


@pytest.fixture
def s3_server():
    """A real S3 API over HTTP (moto's server) with an empty bucket; yields its endpoint."""
    import boto3
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test-key",
        aws_secret_access_key="test-secret",
    )
    client.create_bucket(Bucket="newsroom-media")
    # What the README asks of a bucket serving a public site: anyone may read the media keys.
    client.put_bucket_policy(
        Bucket="newsroom-media",
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": "*",
                        "Action": "s3:GetObject",
                        "Resource": "arn:aws:s3:::newsroom-media/media/*",
                    }
                ],
            }
        ),
    )
    yield endpoint, client
    server.stop()


def test_media_storage_switch_stores_uploads_on_s3_and_links_to_them(s3_server, tmp_path):
    endpoint, s3 = s3_server
    # A fresh process configured by the environment alone, as production would be.
    script = (
        "import json, django; django.setup()\n"
        "from django.core.files.base import ContentFile\n"
        "from django.core.files.storage import storages\n"
        "storage = storages['default']\n"
        "first = storage.save('images/photo.png', ContentFile(b'picture-bytes'))\n"
        "second = storage.save('images/photo.png', ContentFile(b'another-picture'))\n"
        "with storage.open(first) as f: body = f.read().decode()\n"
        "print(json.dumps({'backend': type(storage).__name__, 'first': first,\n"
        "    'second': second, 'body': body, 'url': storage.url(first)}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=_clean_env(
            DJANGO_SETTINGS_MODULE="newsroom.settings",
            SITE_URL="http://testserver",
            DATABASE_URL=f"sqlite:///{tmp_path / 's3.sqlite3'}",
            MEDIA_STORAGE="s3",
            S3_BUCKET="newsroom-media",
            S3_ENDPOINT_URL=endpoint,
            S3_REGION="us-east-1",
            S3_ADDRESSING_STYLE="path",
            S3_PREFIX="media",
            S3_ACCESS_KEY_ID="test-key",
            S3_SECRET_ACCESS_KEY="test-secret",
        ),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    saved = json.loads(done.stdout.strip().splitlines()[-1])
    assert saved["backend"] == "S3Storage"
    assert saved["body"] == "picture-bytes"
    # A second upload with the same name gets its own key; the first one is untouched.
    assert saved["second"] != saved["first"]
    assert saved["first"] == "images/photo.png"
    # The objects are in the bucket, under the prefix, with our cache lifetime.
    stored = s3.get_object(Bucket="newsroom-media", Key="media/images/photo.png")
    assert stored["Body"].read() == b"picture-bytes"
    assert stored["CacheControl"] == "public, max-age=3600"
    # Pages link to the store with a plain URL (no signature to expire in a cached page),
    # and that URL serves the file.
    assert saved["url"] == f"{endpoint}/newsroom-media/media/images/photo.png"
    status, _headers, body = _get(saved["url"])
    assert (status, body) == (200, b"picture-bytes")


def test_media_storage_s3_without_a_bucket_stops_the_start(tmp_path):
    done = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=_clean_env(
            SITE_URL="http://testserver",
            DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}",
            MEDIA_STORAGE="s3",
        ),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "S3_BUCKET" in done.stderr
