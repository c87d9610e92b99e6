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


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0003_article_visible_index"),
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
    ]
