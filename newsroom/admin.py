"""Task results in the admin: what ran, what failed and why, for editors (read-only).

django-tasks-db registers a read-only admin for its rows; this one replaces it to put what
an editor needs on the list itself: the task, its arguments, which attempt it was (our
retries enqueue a new row with ``attempt`` + 1, newsroom/tasks.py) and the error's last
line, with the full traceback on the row's page. Nobody adds, edits or deletes rows here:
the worker writes them, ``manage.py prune_db_task_results`` removes old ones.
"""

from __future__ import annotations

import json

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(DBTaskResultAdmin):
    list_display = (
        "task_name",
        "status",
        "attempt",
        "arguments",
        "last_error",
        "enqueued_at",
        "display_run_after",
        "finished_at",
    )
    list_filter = ("status", "task_path", "queue_name")
    search_fields = ("task_path", "exception_class_path")
    ordering = ["-enqueued_at"]
    list_per_page = 50

    @admin.display(description=_("attempt"))
    def attempt(self, obj: DBTaskResult) -> int:
        return int((obj.args_kwargs.get("kwargs") or {}).get("attempt", 1))

    @admin.display(description=_("arguments"))
    def arguments(self, obj: DBTaskResult) -> str:
        kwargs = {k: v for k, v in (obj.args_kwargs.get("kwargs") or {}).items() if k != "attempt"}
        parts = [json.dumps(arg) for arg in obj.args_kwargs.get("args") or []]
        parts += [f"{key}={json.dumps(value)}" for key, value in kwargs.items()]
        text = ", ".join(parts)
        return text if len(text) <= 80 else f"{text[:79]}…"

    @admin.display(description=_("last error"))
    def last_error(self, obj: DBTaskResult) -> str:
        lines = [line for line in (obj.traceback or "").strip().splitlines() if line.strip()]
        return lines[-1][:200] if lines else ""
