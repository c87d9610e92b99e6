"""The task queue: what runs there, retries, the sweep, the admin, and a real worker process.

The worker tests commit real rows (``transaction=True``) and start ``manage.py db_worker``
in a subprocess connected to the test database by name, so they need PostgreSQL (the
SQLite test database lives in this process's memory).
"""

from __future__ import annotations

import datetime as dt
import email
import io
import logging
import os
import smtplib
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.contrib import admin
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from articles.models import Article
from donations import gateway
from donations.models import Payment
from donations.tasks import send_receipt
from related.models import RelatedItem
from related.tasks import refresh_related_at_publish
from tests.donations.factories import DonationFactory, PaymentFactory
from tests.donations.stripe_fakes import (
    TEST_KEY,
    WEBHOOK_SECRET,
    RecordingTransport,
    event,
    post_event,
)
from tests.factories import ArticleFactory, CountryFactory, CriminalGroupFactory, UserFactory
from tests.mail_backends import fail_next
from tests.related.conftest import story

ROOT = Path(__file__).resolve().parent.parent
STRONG_TEST_KEY = "test-only-insecure-key-never-use-in-production-0123456789abcdefg"
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
TASK_RESULTS = "admin:django_tasks_database_dbtaskresult_changelist"

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the worker process opens the test database by name: PostgreSQL only",
)


@pytest.fixture
def database_queue(settings):
    settings.TASKS = DATABASE_QUEUE


@pytest.fixture
def flaky_mail(settings):
    """An SMTP server down for the next ``fail_next(n)`` messages, then mail.outbox."""
    settings.MAILERS = {"default": {"BACKEND": "tests.mail_backends.FlakyLocmemEmailBackend"}}
    yield fail_next
    fail_next(0)


@pytest.fixture
def stripe_webhooks(settings):
    settings.STRIPE_SECRET_KEY = TEST_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    # Nothing here may reach the network: an unscripted Stripe call fails the test.
    previous, gateway.http_client = gateway.http_client, RecordingTransport()
    yield
    gateway.http_client = previous


@pytest.fixture
def once():
    return DonationFactory(
        frequency="once",
        amount=2500,
        donor_email="ana@example.org",
        stripe_checkout_session_id="cs_test_a1b2c3",
    )


def attempt_of(row: DBTaskResult) -> int:
    return row.args_kwargs["kwargs"].get("attempt", 1)


def run_worker(
    tmp_path: Path,
    *,
    mail_failures: int = 0,
    max_attempts: int = 5,
    command: tuple[str, ...] = ("db_worker", "--batch", "--no-startup-delay"),
    **extra_env: str,
):
    """The worker (``db_worker --batch`` unless told) in its own process, on this test's
    database; it exits once the queue is empty."""
    db = connection.settings_dict
    user = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    url = f"postgres://{user}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "EMAIL_BACKEND"}}
    env.update(
        DJANGO_SETTINGS_MODULE="tests.worker_settings",
        DATABASE_URL=url,
        TASKS_BACKEND="database",
        DEBUG="0",
        SECRET_KEY=STRONG_TEST_KEY,
        SITE_URL="http://testserver",
        TEST_MAIL_DIR=str(tmp_path / "outbox"),
        TEST_MAIL_FAILURES=str(mail_failures),
        TASK_RETRY_DELAY="0",  # retries are ready at once, so one --batch run sees them
        TASK_MAX_ATTEMPTS=str(max_attempts),
    )
    env.update(extra_env)
    worker = subprocess.run(
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert worker.returncode == 0, worker.stdout + worker.stderr
    return worker


def sent_files(tmp_path: Path) -> list[email.message.Message]:
    outbox = tmp_path / "outbox"
    if not outbox.exists():
        return []
    return [email.message_from_string(p.read_text()) for p in sorted(outbox.iterdir())]


# --- which backend runs where --------------------------------------------------------------


def _backend_with(**env: str) -> subprocess.CompletedProcess:
    base = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {"DEBUG", "DATABASE_URL", "TASKS_BACKEND", "SECRET_KEY", "SITE_URL", "REDIS_URL"}
    }
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.TASKS['default']['BACKEND'])"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={
            **base,
            "DJANGO_SETTINGS_MODULE": "newsroom.settings",
            "SECRET_KEY": STRONG_TEST_KEY,
            "SITE_URL": "https://news.example.org",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_on_postgresql_defaults_to_the_database_queue_and_development_to_immediate():
    postgres = "postgres://postgres@127.0.0.1:5432/newsroom"
    sqlite = "sqlite:////tmp/newsroom-tasks-test.sqlite3"
    immediate = "django.tasks.backends.immediate.ImmediateBackend"
    database = "django_tasks_db.DatabaseBackend"
    for env, expected in (
        ({"DEBUG": "0", "DATABASE_URL": postgres}, database),
        ({"DEBUG": "1", "DATABASE_URL": postgres}, immediate),
        ({"DEBUG": "0", "DATABASE_URL": sqlite}, immediate),
        ({"DEBUG": "0", "DATABASE_URL": postgres, "TASKS_BACKEND": "immediate"}, immediate),
        ({"DEBUG": "1", "DATABASE_URL": sqlite, "TASKS_BACKEND": "database"}, database),
        (
            {"DEBUG": "0", "TASKS_BACKEND": "redis", "REDIS_URL": "redis://127.0.0.1:6379/7"},
            "django_tasks_redis.RedisTaskBackend",
        ),
    ):
        result = _backend_with(**env)
        assert result.stdout.strip() == expected, (env, result.stderr)


def test_an_unknown_tasks_backend_name_stops_the_process_naming_the_variable():
    result = _backend_with(DEBUG="1", TASKS_BACKEND="celery")
    assert result.returncode != 0
    assert "TASKS_BACKEND must be immediate, database, redis" in result.stderr
    result = _backend_with(DEBUG="1", TASKS_BACKEND="redis", REDIS_URL="")
    assert result.returncode != 0
    assert "TASKS_BACKEND=redis needs TASKS_REDIS_URL or REDIS_URL" in result.stderr


# --- a real worker process --------------------------------------------------------------------


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_a_receipt_enqueued_by_the_webhook_request_is_sent_by_the_worker_process(
    client, database_queue, stripe_webhooks, once, tmp_path
):
    response = post_event(client, event("evt_checkout_session_completed_payment", donation=once))

    assert response.status_code == 200
    payment = Payment.objects.get()
    # Queued, not run: Stripe's request did not wait for the mail server.
    [queued] = DBTaskResult.objects.all()
    assert (queued.task_path, queued.status) == ("donations.tasks.send_receipt", "READY")
    assert queued.args_kwargs["args"] == [payment.pk]
    assert payment.receipt_sent_at is None and mail.outbox == []

    run_worker(tmp_path)

    queued.refresh_from_db()
    payment.refresh_from_db()
    assert queued.status == "SUCCESSFUL" and queued.return_value is True
    assert payment.receipt_sent_at is not None
    [receipt] = sent_files(tmp_path)
    assert receipt["To"] == "ana@example.org"
    assert "$25" in receipt["Subject"]


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_a_receipt_the_mail_server_refuses_once_is_retried_by_the_worker_and_sent_once(
    client, database_queue, stripe_webhooks, once, tmp_path
):
    post_event(client, event("evt_checkout_session_completed_payment", donation=once))

    run_worker(tmp_path, mail_failures=1)

    first, second = DBTaskResult.objects.order_by("enqueued_at")
    assert (attempt_of(first), first.status) == (1, "FAILED")
    assert first.exception_class_path == "smtplib.SMTPServerDisconnected"
    assert "the SMTP server is down" in first.traceback
    assert (attempt_of(second), second.status) == (2, "SUCCESSFUL")
    assert len(sent_files(tmp_path)) == 1
    assert Payment.objects.get().receipt_sent_at is not None


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_a_receipt_that_keeps_failing_stops_after_the_last_attempt_and_editors_see_it_failed(
    client, database_queue, stripe_webhooks, once, tmp_path, flaky_mail
):
    post_event(client, event("evt_checkout_session_completed_payment", donation=once))

    run_worker(tmp_path, mail_failures=99, max_attempts=3)

    rows = list(DBTaskResult.objects.order_by("enqueued_at"))
    assert [(attempt_of(r), r.status) for r in rows] == [
        (1, "FAILED"),
        (2, "FAILED"),
        (3, "FAILED"),
    ]
    assert sent_files(tmp_path) == []
    assert Payment.objects.get().receipt_sent_at is None

    client.force_login(UserFactory(role="Editor"))
    page = client.get(reverse(TASK_RESULTS), {"status__exact": "FAILED"})
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count("send_receipt") >= 3
    assert "SMTPServerDisconnected: test: the SMTP server is down" in html
    detail = client.get(
        reverse("admin:django_tasks_database_dbtaskresult_change", args=[rows[-1].pk])
    )
    assert detail.status_code == 200 and "Traceback" in detail.content.decode()

    # The sweep sends it once the mail server is back (here: this process's outbox).
    call_command("send_unsent_receipts", "--older-than", "0", stdout=io.StringIO())
    assert [m.to for m in mail.outbox] == [["ana@example.org"]]
    assert Payment.objects.get().receipt_sent_at is not None


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_publishing_in_the_admin_queues_the_related_refresh_and_the_worker_runs_it(
    client, database_queue, tmp_path
):
    mexico, zetas = CountryFactory(name="Mexico"), CriminalGroupFactory(name="Zetas")
    month_ago = timezone.now() - dt.timedelta(days=30)
    old = ArticleFactory(groups=[zetas], countries=[mexico], publish_at=month_ago, **story("port"))
    for name in ("cattle", "prison", "mining", "election"):
        ArticleFactory(countries=[mexico], publish_at=month_ago, **story(name))
    new = ArticleFactory(
        groups=[zetas],
        countries=[mexico],
        status=Article.Status.DRAFT,
        publish_at=None,
        **story("port"),
    )
    call_command("rebuild_related", "--no-progress", stdout=io.StringIO())
    client.force_login(UserFactory(role="Editor"))

    client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "publish_now", "_selected_action": [new.pk]},
    )

    [queued] = DBTaskResult.objects.all()
    assert (queued.task_path, queued.status) == ("related.tasks.refresh_related", "READY")
    assert not RelatedItem.objects.filter(article=old, target=new).exists()

    run_worker(tmp_path)

    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL"
    assert RelatedItem.objects.filter(article=old, target=new).exists()


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_the_optional_redis_queue_carries_a_receipt_from_the_request_to_its_worker(
    client, settings, stripe_webhooks, once, tmp_path
):
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/7"
    prefix = f"newsroom_test_{uuid.uuid4().hex[:12]}"
    try:
        redis.Redis.from_url(url).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_redis.RedisTaskBackend",
            "OPTIONS": {"REDIS_URL": url, "REDIS_KEY_PREFIX": prefix},
        }
    }
    try:
        post_event(client, event("evt_checkout_session_completed_payment", donation=once))
        assert Payment.objects.get().receipt_sent_at is None  # queued in Redis, not run

        run_worker(
            tmp_path,
            command=("run_redis_tasks",),
            TASKS_BACKEND="redis",
            TASKS_REDIS_URL=url,
            TASKS_REDIS_PREFIX=prefix,
        )

        assert Payment.objects.get().receipt_sent_at is not None
        [receipt] = sent_files(tmp_path)
        assert receipt["To"] == "ana@example.org"
    finally:
        connection_ = redis.Redis.from_url(url)
        for key in connection_.scan_iter(f"{prefix}*"):
            connection_.delete(key)


# --- in this process: retries, scheduled follow-ups, the sweep, permissions -------------------


@pytest.mark.django_db
def test_a_failed_receipt_attempt_queues_the_next_one_with_a_doubling_delay(
    database_queue, flaky_mail, settings
):
    settings.TASK_RETRY_DELAY = 60
    settings.TASK_MAX_ATTEMPTS = 3
    payment = PaymentFactory()
    flaky_mail(99)

    for attempt, delay in ((1, 60), (2, 120)):
        before = timezone.now()
        with pytest.raises(smtplib.SMTPServerDisconnected):
            send_receipt.call(payment.pk, attempt=attempt)
        queued = DBTaskResult.objects.latest("enqueued_at")
        assert attempt_of(queued) == attempt + 1
        assert before + dt.timedelta(seconds=delay) <= queued.run_after
        assert queued.run_after <= timezone.now() + dt.timedelta(seconds=delay)

    with pytest.raises(smtplib.SMTPServerDisconnected):
        send_receipt.call(payment.pk, attempt=3)
    assert DBTaskResult.objects.count() == 2  # the third attempt was the last


@pytest.mark.django_db
def test_a_receipt_failing_under_the_immediate_backend_keeps_the_webhook_200_and_the_sweep_sends_it(
    client, stripe_webhooks, once, flaky_mail, django_capture_on_commit_callbacks, caplog
):
    flaky_mail(1)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_event(
            client, event("evt_checkout_session_completed_payment", donation=once)
        )

    assert response.status_code == 200
    assert Payment.objects.get().receipt_sent_at is None
    assert "the SMTP server is down" in caplog.text
    assert not DBTaskResult.objects.exists()  # nothing queued: the sweep is the retry here

    call_command("send_unsent_receipts", "--older-than", "0", stdout=io.StringIO())

    assert len(mail.outbox) == 1
    assert Payment.objects.get().receipt_sent_at is not None


@pytest.mark.django_db
def test_the_sweep_reports_a_mail_server_still_down_and_leaves_the_receipt_due(flaky_mail):
    payment = PaymentFactory()
    refunded = PaymentFactory(amount_refunded=2500)
    Payment.objects.filter(pk__in=[payment.pk, refunded.pk]).update(
        created_at=timezone.now() - dt.timedelta(hours=1)
    )
    flaky_mail(1)

    with pytest.raises(CommandError, match="1 receipt"):
        call_command("send_unsent_receipts", stdout=io.StringIO())

    payment.refresh_from_db()
    assert payment.receipt_sent_at is None and mail.outbox == []
    call_command("send_unsent_receipts", stdout=io.StringIO())
    assert [m.to for m in mail.outbox] == [[payment.donation.donor_email]]  # none for refunded


@pytest.mark.django_db
def test_the_sweep_leaves_recent_payments_to_their_queued_task():
    PaymentFactory()  # recorded just now: its task and retries go first

    call_command("send_unsent_receipts", stdout=io.StringIO())

    assert mail.outbox == []


@pytest.mark.django_db
def test_a_scheduled_article_gets_a_related_follow_up_queued_for_its_publish_time(
    database_queue, django_capture_on_commit_callbacks
):
    publish_at = (timezone.now() + dt.timedelta(days=2)).replace(microsecond=0)
    article = ArticleFactory(status=Article.Status.DRAFT, publish_at=None)
    article.status, article.publish_at = Article.Status.PUBLISHED, publish_at
    request = RequestFactory().post("/")
    request.user = UserFactory(role="Editor")

    with django_capture_on_commit_callbacks(execute=True):
        admin.site._registry[Article].save_model(request, article, form=None, change=True)

    now_row, later_row = DBTaskResult.objects.order_by("task_path")
    assert now_row.task_path == "related.tasks.refresh_related"
    assert later_row.task_path == "related.tasks.refresh_related_at_publish"
    assert later_row.run_after == publish_at
    assert later_row.args_kwargs["args"] == [article.pk, publish_at.isoformat()]


@pytest.mark.django_db
def test_a_follow_up_for_an_article_rescheduled_since_does_nothing(time_machine):
    first = timezone.now() + dt.timedelta(hours=1)
    article = ArticleFactory(publish_at=first + dt.timedelta(days=1))  # rescheduled later

    time_machine.move_to(first + dt.timedelta(minutes=1))
    assert refresh_related_at_publish.call(article.pk, first.isoformat()) is None

    time_machine.move_to(article.publish_at + dt.timedelta(minutes=1))
    refreshed = refresh_related_at_publish.call(article.pk, article.publish_at.isoformat())
    assert refreshed is not None


@pytest.mark.django_db
def test_the_immediate_backend_skips_a_follow_up_it_cannot_defer_without_error(
    django_capture_on_commit_callbacks, caplog
):
    caplog.set_level(logging.INFO, logger="newsroom.tasks")
    article = ArticleFactory(status=Article.Status.DRAFT, publish_at=None)
    article.status = Article.Status.PUBLISHED
    article.publish_at = timezone.now() + dt.timedelta(days=2)
    request = RequestFactory().post("/")
    request.user = UserFactory(role="Editor")

    with django_capture_on_commit_callbacks(execute=True):
        admin.site._registry[Article].save_model(request, article, form=None, change=True)

    assert "refresh_related_at_publish" in caplog.text and "cannot defer" in caplog.text
    assert "failed" not in caplog.text


@pytest.mark.django_db
def test_writers_cannot_see_task_results(client):
    client.force_login(UserFactory(role="Writer"))
    assert client.get(reverse(TASK_RESULTS)).status_code == 403
