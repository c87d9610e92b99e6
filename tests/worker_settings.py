"""Settings for the ``db_worker`` subprocess of tests/test_tasks.py: the project's own,
with receipts written as files to ``TEST_MAIL_DIR`` through a mail server that fails the
first ``TEST_MAIL_FAILURES`` messages (tests/mail_backends.py)."""

import os

from newsroom.settings import *  # noqa: F403

MAILERS = {
    "default": {
        "BACKEND": "tests.mail_backends.FlakyFileEmailBackend",
        "OPTIONS": {"file_path": os.environ["TEST_MAIL_DIR"]},
    }
}
