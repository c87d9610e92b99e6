# The card's byline ("Ana Ruiz, Luis Mora") stored in the article row: ``byline_names``.
#
# Cards (home, hubs, the related and organization blocks) used to aggregate each story's
# bylines in a correlated subquery, ~0.6-0.8 ms of the home page's ~2.3 ms read at 10k
# articles (40 rows), growing with the rows shown. Now they read a column.
#
# Kept by triggers, like the search vector (0007, 0011), so that it is never stale whatever
# writes: the admin's inline, services, bulk_create, QuerySet.update(), raw SQL, an author
# renamed, a data migration. The column's truth is one function of the bylines; whatever a
# write puts in the column (an old value from a stale instance: save() writes every field)
# is replaced by it.
#
# PostgreSQL:
# - BEFORE INSERT OR UPDATE OF id, byline_names on the article, per row: computes the names
#   (one index lookup). An UPDATE that does not name the column (title, status, the search
#   vector's tag lexemes) cannot change them and does not pay for it; save() names every
#   column, so it recomputes.
# - After each statement on the bylines (transition tables: a bulk_create of 100k bylines
#   is one UPDATE) and after an author's rename, the affected articles are "touched"
#   (SET byline_names = byline_names), which fires the row trigger. The search trigger
#   watches title, dek, body and language only: a touch does not rebuild the vector.
# - Concurrency (READ COMMITTED): the row trigger reads the bylines in a fresh snapshot
#   taken after the article row is locked, so two transactions changing one article's
#   bylines end with both changes. A new byline locks its author FOR SHARE first, so a
#   rename of that author running at the same time either waits for it (and then sees the
#   byline) or is waited for (and its new name is read); at worst (the rename and an edit
#   of one of that author's articles at the same instant) PostgreSQL reports a deadlock and
#   fails one of the two transactions: an error to retry, never a stale byline.
#
# SQLite (the embedded path): no assignment to NEW, so AFTER triggers UPDATE the row; each
# only writes when the stored text differs from the truth (which also ends the article's
# own trigger after its one write, recursive_triggers or not). group_concat takes its rows
# in the order of its subquery (SQLite before 3.44 has no ORDER BY inside an aggregate).
# SQLite drops a table's triggers when Django rebuilds that table (AddField of a NOT NULL
# column, most AlterFields) and refuses the rebuild while another table's trigger names
# it: ``migrate`` drops these triggers before it runs and creates them again after
# (articles/sqlite_triggers.py, with FORWARD_SQLITE and BACKWARD_SQLITE below), and creates
# them only then: this migration adds none on SQLite, so a later migration of the same run
# (a fresh database runs them all at once) can still rebuild these tables. A migrate that
# fails leaves them off until the next one succeeds (post_migrate is not sent).
#
# On PostgreSQL the backfill writes only the articles that have bylines (the others hold ""
# already); on a large archive run ``VACUUM ANALYZE articles_article`` after migrating (see 0011).

from django.db import migrations, models

FORWARD_POSTGRESQL = """
CREATE FUNCTION articles_byline_names(article bigint) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT coalesce(string_agg(au.name, ', ' ORDER BY b.position, b.id), '')
    FROM articles_byline b JOIN articles_author au ON au.id = b.author_id
    WHERE b.article_id = article
$$;

CREATE FUNCTION articles_article_byline_names() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.byline_names := articles_byline_names(NEW.id);
    RETURN NEW;
END
$$;
CREATE TRIGGER articles_article_byline_names
    BEFORE INSERT OR UPDATE OF id, byline_names ON articles_article
    FOR EACH ROW EXECUTE FUNCTION articles_article_byline_names();

-- One function for the three statement triggers: each reads only the transition tables its
-- event has (plpgsql plans a statement when it first runs it).
CREATE FUNCTION articles_byline_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE articles_article SET byline_names = byline_names
            WHERE id IN (SELECT article_id FROM removed);
        RETURN NULL;
    END IF;
    -- Against a concurrent rename of these authors (see the migration's header).
    PERFORM 1 FROM articles_author WHERE id IN (SELECT author_id FROM added) FOR SHARE;
    IF TG_OP = 'INSERT' THEN
        UPDATE articles_article SET byline_names = byline_names
            WHERE id IN (SELECT article_id FROM added);
    ELSE
        UPDATE articles_article SET byline_names = byline_names
            WHERE id IN (SELECT article_id FROM added UNION SELECT article_id FROM removed);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER articles_byline_inserted AFTER INSERT ON articles_byline
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT
    EXECUTE FUNCTION articles_byline_changed();
CREATE TRIGGER articles_byline_deleted AFTER DELETE ON articles_byline
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT
    EXECUTE FUNCTION articles_byline_changed();
CREATE TRIGGER articles_byline_updated AFTER UPDATE ON articles_byline
    REFERENCING NEW TABLE AS added OLD TABLE AS removed FOR EACH STATEMENT
    EXECUTE FUNCTION articles_byline_changed();

-- TRUNCATE fires no row or DELETE trigger (Django's flush truncates every table at once:
-- then there is no article left to touch).
CREATE FUNCTION articles_byline_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE articles_article SET byline_names = byline_names WHERE byline_names <> '';
    RETURN NULL;
END
$$;
CREATE TRIGGER articles_byline_truncated AFTER TRUNCATE ON articles_byline
    FOR EACH STATEMENT EXECUTE FUNCTION articles_byline_truncated();

-- Per row: a trigger with a column list cannot have transition tables, and renames are few.
CREATE FUNCTION articles_author_renamed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE articles_article SET byline_names = byline_names
        WHERE id IN (SELECT article_id FROM articles_byline WHERE author_id = NEW.id);
    RETURN NULL;
END
$$;
CREATE TRIGGER articles_author_renamed AFTER UPDATE OF name ON articles_author
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION articles_author_renamed();

UPDATE articles_article SET byline_names = byline_names
    WHERE id IN (SELECT article_id FROM articles_byline);
"""

BACKWARD_POSTGRESQL = """
DROP TRIGGER IF EXISTS articles_author_renamed ON articles_author;
DROP TRIGGER IF EXISTS articles_byline_truncated ON articles_byline;
DROP TRIGGER IF EXISTS articles_byline_updated ON articles_byline;
DROP TRIGGER IF EXISTS articles_byline_deleted ON articles_byline;
DROP TRIGGER IF EXISTS articles_byline_inserted ON articles_byline;
DROP TRIGGER IF EXISTS articles_article_byline_names ON articles_article;
DROP FUNCTION IF EXISTS articles_author_renamed();
DROP FUNCTION IF EXISTS articles_byline_truncated();
DROP FUNCTION IF EXISTS articles_byline_changed();
DROP FUNCTION IF EXISTS articles_article_byline_names();
DROP FUNCTION IF EXISTS articles_byline_names(bigint);
"""

# The names of article {article}, in byline order; '' without bylines.
_SQLITE_NAMES = """coalesce((
    SELECT group_concat(name, ', ') FROM (
        SELECT au.name FROM articles_byline b JOIN articles_author au ON au.id = b.author_id
        WHERE b.article_id = {article} ORDER BY b.position, b.id
    )
), '')"""


def _sqlite_refresh(where: str) -> str:
    names = _SQLITE_NAMES.format(article="articles_article.id")
    return f"""UPDATE articles_article SET byline_names = {names}
        WHERE ({where}) AND byline_names IS NOT {names};"""


_SQLITE_NEW = _SQLITE_NAMES.format(article="NEW.id")
FORWARD_SQLITE = [
    f"""CREATE TRIGGER IF NOT EXISTS articles_article_byline_names_inserted
    AFTER INSERT ON articles_article FOR EACH ROW WHEN NEW.byline_names IS NOT {_SQLITE_NEW}
    BEGIN {_sqlite_refresh("id = NEW.id")} END""",
    f"""CREATE TRIGGER IF NOT EXISTS articles_article_byline_names_written
    AFTER UPDATE OF id, byline_names ON articles_article FOR EACH ROW
    WHEN NEW.byline_names IS NOT {_SQLITE_NEW}
    BEGIN {_sqlite_refresh("id = NEW.id")} END""",
    f"""CREATE TRIGGER IF NOT EXISTS articles_byline_inserted
    AFTER INSERT ON articles_byline FOR EACH ROW
    BEGIN {_sqlite_refresh("id = NEW.article_id")} END""",
    f"""CREATE TRIGGER IF NOT EXISTS articles_byline_deleted
    AFTER DELETE ON articles_byline FOR EACH ROW
    BEGIN {_sqlite_refresh("id = OLD.article_id")} END""",
    f"""CREATE TRIGGER IF NOT EXISTS articles_byline_updated
    AFTER UPDATE ON articles_byline FOR EACH ROW
    BEGIN {_sqlite_refresh("id IN (OLD.article_id, NEW.article_id)")} END""",
    f"""CREATE TRIGGER IF NOT EXISTS articles_author_renamed
    AFTER UPDATE OF name ON articles_author FOR EACH ROW WHEN OLD.name IS NOT NEW.name
    BEGIN {_sqlite_refresh("id IN (SELECT article_id FROM articles_byline WHERE author_id = NEW.id)")} END""",
    # Every row whose text is not the truth (after a rebuild, also a row whose bylines a
    # migration removed while the triggers were down); on SQLite, databases are small.
    _sqlite_refresh("1"),
]
SQLITE_TRIGGERS = (
    "articles_article_byline_names_inserted",
    "articles_article_byline_names_written",
    "articles_byline_inserted",
    "articles_byline_deleted",
    "articles_byline_updated",
    "articles_author_renamed",
)
BACKWARD_SQLITE = [f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS]


def _by_vendor(postgresql: str, sqlite: list[str]):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            schema_editor.execute(postgresql)
        elif vendor == "sqlite":
            for statement in sqlite:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0012_author_bio_es"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="byline_names",
            field=models.TextField(blank=True, db_default="", default="", editable=False),
        ),
        # On SQLite the triggers are created by ``post_migrate`` (articles/sqlite_triggers.py)
        # once every migration of the run has applied, never in the middle of the run: a
        # later migration that rebuilds one of these tables would fail on them (a fresh
        # database migrates everything in one run).
        migrations.RunPython(
            _by_vendor(FORWARD_POSTGRESQL, []),
            _by_vendor(BACKWARD_POSTGRESQL, BACKWARD_SQLITE),
            elidable=False,
        ),
    ]
