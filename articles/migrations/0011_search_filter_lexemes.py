# Country and group filters of the search page, answered by the search vector itself.
#
# Each article's ``search_vector`` also carries one lexeme per country and group it is tagged
# with: ``#country:<slug>`` and ``#group:<slug>``. The text parser never produces "#" or ":"
# inside a lexeme, so no reader's words can match them, and ranking reads ``search_head``,
# which does not carry them. A filtered search is then one condition on one column: the GIN
# index intersects the posting lists of the words and of the tag, and the walk of the newest
# matches tests both inside the row it already reads. Before, the filter was an EXISTS on the
# tag table probed for every candidate (about 28-37 ms of a 45-50 ms filtered search at 100k
# articles: benchmarks/search_scale.py).
#
# Kept by triggers, like the rest of the vector, so every write path (taggit's set/add/
# remove, bulk_create, a raw import, a slug renamed in the admin, a tag deleted) keeps it
# current. Statement-level on the tag tables: tagging 100k articles in one INSERT is one
# UPDATE, not 100k.
#
# The backfill rewrites every article row once (~20 s at 100k articles). Until autovacuum
# has passed, the visibility map is empty and the index-only counts of hub pages read the
# heap (a country hub's first render 4 -> 17 ms at 10k, measured): on a large archive run
# ``VACUUM ANALYZE articles_article`` after migrating.

from django.db import migrations

FORWARD = r"""
CREATE FUNCTION articles_filter_lexemes(article bigint) RETURNS tsvector
LANGUAGE sql STABLE AS $$
    SELECT array_to_tsvector(ARRAY(
        SELECT '#country:' || c.slug FROM articles_taggedcountry t
            JOIN articles_country c ON c.id = t.tag_id WHERE t.content_object_id = article
        UNION
        SELECT '#group:' || g.slug FROM articles_taggedgroup t
            JOIN articles_criminalgroup g ON g.id = t.tag_id WHERE t.content_object_id = article
    ))
$$;

-- The vector without its filter lexemes (those of the tags it had), then with the current ones.
CREATE FUNCTION articles_refresh_filter_lexemes(articles bigint[]) RETURNS void
LANGUAGE sql AS $$
    UPDATE articles_article a
    SET search_vector = ts_delete(
            a.search_vector,
            ARRAY(SELECT lexeme FROM unnest(a.search_vector) WHERE left(lexeme, 1) = '#')
        ) || articles_filter_lexemes(a.id)
    WHERE a.id = ANY(articles) AND a.search_vector IS NOT NULL
$$;

CREATE OR REPLACE FUNCTION articles_article_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    cfg regconfig := CASE NEW.language
        WHEN 'es' THEN 'newsroom_es'::regconfig ELSE 'newsroom_en'::regconfig END;
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector(cfg, coalesce(NEW.title, '')), 'A')
        || setweight(to_tsvector(cfg, coalesce(NEW.dek, '')), 'B')
        || setweight(to_tsvector(cfg, coalesce(NEW.body, '')), 'C')
        || articles_filter_lexemes(NEW.id);
    -- Title and summary alone, small enough to rank a thousand candidates quickly.
    NEW.search_head :=
        setweight(to_tsvector(cfg, coalesce(NEW.title, '')), 'A')
        || setweight(to_tsvector(cfg, coalesce(NEW.dek, '')), 'B');
    RETURN NEW;
END
$$;

-- One function for the three statement triggers: each reads only the transition tables its
-- event has (plpgsql plans a statement when it first runs it).
CREATE FUNCTION articles_tagged_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM articles_refresh_filter_lexemes(ARRAY(SELECT content_object_id FROM added));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM articles_refresh_filter_lexemes(ARRAY(SELECT content_object_id FROM removed));
    ELSE
        PERFORM articles_refresh_filter_lexemes(ARRAY(
            SELECT content_object_id FROM added UNION SELECT content_object_id FROM removed));
    END IF;
    RETURN NULL;
END
$$;
CREATE FUNCTION articles_tag_renamed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM articles_refresh_filter_lexemes(ARRAY(
        SELECT content_object_id FROM articles_taggedcountry
            WHERE TG_TABLE_NAME = 'articles_country' AND tag_id = NEW.id
        UNION
        SELECT content_object_id FROM articles_taggedgroup
            WHERE TG_TABLE_NAME = 'articles_criminalgroup' AND tag_id = NEW.id));
    RETURN NULL;
END
$$;
"""

TRIGGERS = """
CREATE TRIGGER {table}_inserted AFTER INSERT ON {table}
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT
    EXECUTE FUNCTION articles_tagged_changed();
CREATE TRIGGER {table}_deleted AFTER DELETE ON {table}
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT
    EXECUTE FUNCTION articles_tagged_changed();
CREATE TRIGGER {table}_updated AFTER UPDATE ON {table}
    REFERENCING NEW TABLE AS added OLD TABLE AS removed FOR EACH STATEMENT
    EXECUTE FUNCTION articles_tagged_changed();
"""

RENAME = """
CREATE TRIGGER {table}_renamed AFTER UPDATE OF slug ON {table}
    FOR EACH ROW WHEN (OLD.slug IS DISTINCT FROM NEW.slug)
    EXECUTE FUNCTION articles_tag_renamed();
"""

BACKFILL = """
SELECT articles_refresh_filter_lexemes(ARRAY(SELECT id FROM articles_article));
ANALYZE articles_article;
"""

FORWARD_ALL = (
    FORWARD
    + TRIGGERS.format(table="articles_taggedcountry")
    + TRIGGERS.format(table="articles_taggedgroup")
    + RENAME.format(table="articles_country")
    + RENAME.format(table="articles_criminalgroup")
    + BACKFILL
)

BACKWARD = """
DROP TRIGGER IF EXISTS articles_country_renamed ON articles_country;
DROP TRIGGER IF EXISTS articles_criminalgroup_renamed ON articles_criminalgroup;
DROP TRIGGER IF EXISTS articles_taggedcountry_inserted ON articles_taggedcountry;
DROP TRIGGER IF EXISTS articles_taggedcountry_deleted ON articles_taggedcountry;
DROP TRIGGER IF EXISTS articles_taggedcountry_updated ON articles_taggedcountry;
DROP TRIGGER IF EXISTS articles_taggedgroup_inserted ON articles_taggedgroup;
DROP TRIGGER IF EXISTS articles_taggedgroup_deleted ON articles_taggedgroup;
DROP TRIGGER IF EXISTS articles_taggedgroup_updated ON articles_taggedgroup;
DROP FUNCTION IF EXISTS articles_tag_renamed();
DROP FUNCTION IF EXISTS articles_tagged_changed();
CREATE OR REPLACE FUNCTION articles_article_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    cfg regconfig := CASE NEW.language
        WHEN 'es' THEN 'newsroom_es'::regconfig ELSE 'newsroom_en'::regconfig END;
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector(cfg, coalesce(NEW.title, '')), 'A')
        || setweight(to_tsvector(cfg, coalesce(NEW.dek, '')), 'B')
        || setweight(to_tsvector(cfg, coalesce(NEW.body, '')), 'C');
    NEW.search_head :=
        setweight(to_tsvector(cfg, coalesce(NEW.title, '')), 'A')
        || setweight(to_tsvector(cfg, coalesce(NEW.dek, '')), 'B');
    RETURN NEW;
END
$$;
DROP FUNCTION IF EXISTS articles_refresh_filter_lexemes(bigint[]);
DROP FUNCTION IF EXISTS articles_filter_lexemes(bigint);
UPDATE articles_article SET title = title;
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0010_search_vectors_inline"),
    ]

    operations = [
        migrations.RunPython(_on_postgresql(FORWARD_ALL), _on_postgresql(BACKWARD), elidable=False),
    ]
