"""The licence catalogue and the words of the attribution footer."""

from dataclasses import dataclass

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# What a republisher may do, one whole sentence start per case (translators need the
# whole phrase, not pieces glued together).
_PERMISSIONS = {
    (True, True): _("You may copy and distribute this article"),
    (False, True): _("You may copy and distribute this article for non-commercial purposes"),
    (True, False): _("You may copy and distribute this article without changes"),
    (False, False): _(
        "You may copy and distribute this article for non-commercial purposes without changes"
    ),
}


@dataclass(frozen=True)
class Licence:
    code: str
    name: str | Promise  # translated (Creative Commons' official Spanish names)
    deed_url: str
    allows_republication: bool
    commercial: bool = True
    derivatives: bool = True

    @property
    def permission(self) -> str | Promise:
        return _PERMISSIONS[self.commercial, self.derivatives]

    @property
    def deed(self) -> str:
        """The licence deed in the page's language (Creative Commons has one per language)."""
        language = translation.get_language() or "en"
        if not self.deed_url or language == "en":
            return self.deed_url
        return f"{self.deed_url}deed.{language}"


LICENCES: dict[str, Licence] = {
    licence.code: licence
    for licence in (
        Licence(
            "cc-by-4.0",
            _("Creative Commons Attribution 4.0 International (CC BY 4.0)"),
            "https://creativecommons.org/licenses/by/4.0/",
            allows_republication=True,
        ),
        Licence(
            "cc-by-nc-4.0",
            _("Creative Commons Attribution-NonCommercial 4.0 International (CC BY-NC 4.0)"),
            "https://creativecommons.org/licenses/by-nc/4.0/",
            allows_republication=True,
            commercial=False,
        ),
        Licence(
            "cc-by-nc-nd-4.0",
            _(
                "Creative Commons Attribution-NonCommercial-NoDerivatives 4.0 International "
                "(CC BY-NC-ND 4.0)"
            ),
            "https://creativecommons.org/licenses/by-nc-nd/4.0/",
            allows_republication=True,
            commercial=False,
            derivatives=False,
        ),
        Licence("all-rights-reserved", _("All rights reserved"), "", allows_republication=False),
    )
}

LICENCE_CHOICES = [(licence.code, licence.name) for licence in LICENCES.values()]


def get_licence(code: str) -> Licence:
    return LICENCES.get(code) or LICENCES["all-rights-reserved"]


def default_licence() -> str:
    from django.conf import settings

    return settings.DEFAULT_LICENCE if settings.DEFAULT_LICENCE in LICENCES else "cc-by-nc-4.0"
