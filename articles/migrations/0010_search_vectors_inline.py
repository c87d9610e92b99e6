# Keep the two search vectors in the article row instead of the TOAST table (PostgreSQL).
#
# A search for a common word walks the newest articles and tests each row's vector; a phrase
# re-checks positions in each candidate's vector. Stored out of line (0007 set
# toast_tuple_target = 128 and the vectors, ~2 KB, are not compressible), every test was a
# TOAST index lookup plus a TOAST page read. STORAGE MAIN keeps them in the row (PostgreSQL
# moves a MAIN column out only when the row would not fit a page); the body and other long
# text stay out of line. Measured on 100k articles (benchmarks/search_scale.py, notes H11):
# heap 21 MB -> 261 MB, common-word searches p50 ~48 -> ~31 ms under the same load.
# The UPDATE rewrites the existing vectors so they move in (the trigger does not fire: it
# watches title, dek, body and language only).

from django.db import migrations

FORWARD = """
ALTER TABLE articles_article
    ALTER COLUMN search_vector SET STORAGE MAIN,
    ALTER COLUMN search_head SET STORAGE MAIN;
UPDATE articles_article
    SET search_vector = search_vector || ''::tsvector, search_head = search_head || ''::tsvector
    WHERE search_vector IS NOT NULL;
"""

BACKWARD = """
ALTER TABLE articles_article
    ALTER COLUMN search_vector SET STORAGE EXTENDED,
    ALTER COLUMN search_head SET STORAGE EXTENDED;
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0009_helpful_period_indexes"),
    ]

    operations = [
        migrations.RunPython(_on_postgresql(FORWARD), _on_postgresql(BACKWARD), elidable=False),
    ]
