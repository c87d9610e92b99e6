from django.tasks import task


@task
def flush_republications() -> int:
    """Move the pixel's counts from the shared cache into the database (republish/counters.py)."""
    from republish.counters import flush

    return flush()
