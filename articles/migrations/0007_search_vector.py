# The full-text search column, and on PostgreSQL what fills and indexes it.

import django.contrib.postgres.search
from django.db import migrations

# Accent-insensitive configurations: the stock english/spanish ones with unaccent in front
# of the stemmer, so "mexico" and "México" meet on one lexeme in documents and queries.
# The trigger keeps the column current for every write path (save(), update(),
# bulk_create, raw SQL), which a save() hook or a signal would not. The body is HTML: the
# default parser reads tags (with their attributes) as "tag" tokens, which no mapping
# indexes, so only the text counts.
FORWARD = """
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE TEXT SEARCH CONFIGURATION newsroom_en (COPY = pg_catalog.english);
ALTER TEXT SEARCH CONFIGURATION newsroom_en
    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;
CREATE TEXT SEARCH CONFIGURATION newsroom_es (COPY = pg_catalog.spanish);
ALTER TEXT SEARCH CONFIGURATION newsroom_es
    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, spanish_stem;

CREATE FUNCTION articles_article_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    cfg regconfig := CASE NEW.language
        WHEN 'es' THEN 'newsroom_es'::regconfig ELSE 'newsroom_en'::regconfig END;
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector(cfg, coalesce(NEW.title, '')), 'A')
        || setweight(to_tsvector(cfg, coalesce(NEW.dek, '')), 'B')
        || setweight(to_tsvector(cfg, coalesce(NEW.body, '')), 'C');
    -- Title and summary alone, small enough to rank a thousand candidates quickly.
    NEW.search_head :=
        setweight(to_tsvector(cfg, coalesce(NEW.title, '')), 'A')
        || setweight(to_tsvector(cfg, coalesce(NEW.dek, '')), 'B');
    RETURN NEW;
END
$$;
CREATE TRIGGER articles_article_search_vector
    BEFORE INSERT OR UPDATE OF title, dek, body, language ON articles_article
    FOR EACH ROW EXECUTE FUNCTION articles_article_search_vector();
-- Long columns (body, the vectors) live out of line, so the table itself stays small
-- (146 MB -> 21 MB at 100k articles): a search's bitmap heap scan and the walk of the
-- publish-time index read a few pages, not every article's text.
ALTER TABLE articles_article SET (toast_tuple_target = 128);
UPDATE articles_article SET title = title;
CREATE INDEX articles_article_search_idx ON articles_article USING gin (search_vector);
"""

BACKWARD = """
DROP INDEX IF EXISTS articles_article_search_idx;
DROP TRIGGER IF EXISTS articles_article_search_vector ON articles_article;
DROP FUNCTION IF EXISTS articles_article_search_vector();
DROP TEXT SEARCH CONFIGURATION IF EXISTS newsroom_es;
DROP TEXT SEARCH CONFIGURATION IF EXISTS newsroom_en;
"""


# The planner prices the @@ test of a row at one operator (~0.25 us); on a stored vector it
# detoasts and scans ~2 KB (~15-40 us). Priced that low, a LIMITed "newest matches" walks
# the publish-time index even for a word in 3% of stories (38k rows, 1.5 s) instead of
# reading its 2.6k matches from the GIN index (15 ms). At COST 100 it picks the index walk
# only for common words (benchmarks/search_scale.py). Changing a built-in function needs its
# owner (a superuser); without that right the migration goes on and search is only slower
# for mid-frequency words. pg_dump does not carry it: run this again after a restore.
PLANNER_COST = "ALTER FUNCTION pg_catalog.ts_match_vq(tsvector, tsquery) COST 100"


def _tell_the_planner(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    import logging

    from django.db import DatabaseError, transaction

    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute(PLANNER_COST)
    except DatabaseError as error:  # insufficient privilege
        logging.getLogger(__name__).warning("Search planner cost not set: %s", error)


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0006_editorial_history_feedback_corrections"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="article",
            name="search_head",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(_on_postgresql(FORWARD), _on_postgresql(BACKWARD), elidable=False),
        migrations.RunPython(_tell_the_planner, migrations.RunPython.noop, elidable=False),
    ]
