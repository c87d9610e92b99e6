# An index on the article's id carrying its status and publish time (PostgreSQL).
#
# A hub with few public stories reads its first page from its own list of stories:
# ``id = ANY(ARRAY(the hub's story ids))``, then keeps the public ones and sorts them
# (articles/reads.py, FEW_STORIES). Through the primary key each id cost a visit to the
# article's row for its status and time; with them in this index the visibility test and
# the sort are answered from the index alone, and only the page's 12 rows are read. At
# 10k articles: a 326-story author 2.5 -> 1.5 ms, a 1,474-story topic 5.7 -> 2.8 ms, a
# 4,139-story country 12.5 -> 5.4 ms on that path (docs/performance.md, round five).
#
# Raw SQL, PostgreSQL only: SQLite has no INCLUDE (Django warns of such an index there,
# models.W040), and the embedded path does not prepare generic plans anyway. Django's
# model state does not know this index: nothing in the models refers to it.

from django.db import migrations

FORWARD = (
    "CREATE INDEX IF NOT EXISTS article_id_visibility_idx "
    "ON articles_article (id) INCLUDE (status, publish_at)"
)
BACKWARD = "DROP INDEX IF EXISTS article_id_visibility_idx"


def _on_postgresql(sql: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("articles", "0013_article_byline_names")]

    operations = [
        migrations.RunPython(_on_postgresql(FORWARD), _on_postgresql(BACKWARD), elidable=False),
    ]
