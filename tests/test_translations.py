"""The catalogue tooling: bin/check_translations.py fails on what is missing, and the
committed Spanish catalogue passes it and is compiled (bin/compile_messages.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import polib
from django.conf import settings

sys.path.insert(0, str(Path(settings.BASE_DIR) / "bin"))

import check_translations
import compile_messages

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES" / "django.po"


def test_the_spanish_catalogue_has_every_entry_translated_and_its_mo_is_current():
    assert check_translations._problems(CATALOGUE) == []
    assert compile_messages.main(["--check"]) == 0
    assert len(polib.pofile(str(CATALOGUE))) > 250


def test_the_check_reports_untranslated_fuzzy_and_broken_placeholders(tmp_path):
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    po.append(polib.POEntry(msgid="Share", msgstr="Compartir"))
    po.append(polib.POEntry(msgid="Copy link", msgstr=""))
    po.append(polib.POEntry(msgid="Donate", msgstr="Donar", flags=["fuzzy"]))
    po.append(polib.POEntry(msgid="Give %(amount)s", msgstr="Donar %(monto)s"))
    po.append(
        polib.POEntry(
            msgid="%(count)d article.",
            msgid_plural="%(count)d articles.",
            msgstr_plural={0: "%(count)d artículo.", 1: "artículos."},
        )
    )
    path = tmp_path / "django.po"
    po.save(str(path))

    problems = check_translations._problems(path)

    assert problems == [
        "untranslated: 'Copy link'",
        "fuzzy: 'Donate'",
        "placeholders differ: 'Give %(amount)s'",
        "placeholders differ: '%(count)d article.'",
    ]


def test_compiling_needs_no_gnu_gettext_and_gives_what_gettext_reads(tmp_path):
    import gettext

    data = compile_messages.compiled(CATALOGUE)
    (tmp_path / "django.mo").write_bytes(data)

    with (tmp_path / "django.mo").open("rb") as handle:
        spanish = gettext.GNUTranslations(handle)
    assert spanish.gettext("Was this content helpful?") == "¿Le resultó útil este contenido?"
    assert spanish.pgettext("end of a list", "and") == "y"
