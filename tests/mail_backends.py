"""Email backends for task tests: a mail server that is down for the first N messages.

The worker runs in another process and builds a new backend for every message, so the
count of failures still to come lives on the class, set from the environment
(``TEST_MAIL_FAILURES``) when the worker starts, or by a test in this process.
"""

from __future__ import annotations

import os
import smtplib
from collections.abc import Sequence

from django.core.mail import EmailMessage
from django.core.mail.backends.filebased import EmailBackend as FileEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemEmailBackend


class _SMTPDownFirst:
    failures_left = int(os.environ.get("TEST_MAIL_FAILURES", "0"))

    def send_messages(self, messages: Sequence[EmailMessage]) -> int:
        if _SMTPDownFirst.failures_left > 0:
            _SMTPDownFirst.failures_left -= 1
            raise smtplib.SMTPServerDisconnected("test: the SMTP server is down")
        return super().send_messages(messages)  # type: ignore[misc]


class FlakyFileEmailBackend(_SMTPDownFirst, FileEmailBackend):
    """Writes messages to ``file_path`` once the failures are used up (the worker's)."""


class FlakyLocmemEmailBackend(_SMTPDownFirst, LocmemEmailBackend):
    """``mail.outbox`` once the failures are used up (tests in this process)."""


def fail_next(count: int) -> None:
    _SMTPDownFirst.failures_left = count
