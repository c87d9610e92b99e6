"""The licence catalogue and the words of the attribution footer."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Licence:
    code: str
    name: str
    deed_url: str
    allows_republication: bool
    commercial: bool = True
    derivatives: bool = True


LICENCES: dict[str, Licence] = {
    licence.code: licence
    for licence in (
        Licence(
            "cc-by-4.0",
            "Creative Commons Attribution 4.0 International (CC BY 4.0)",
            "https://creativecommons.org/licenses/by/4.0/",
            allows_republication=True,
        ),
        Licence(
            "cc-by-nc-4.0",
            "Creative Commons Attribution-NonCommercial 4.0 International (CC BY-NC 4.0)",
            "https://creativecommons.org/licenses/by-nc/4.0/",
            allows_republication=True,
            commercial=False,
        ),
        Licence(
            "cc-by-nc-nd-4.0",
            "Creative Commons Attribution-NonCommercial-NoDerivatives 4.0 International "
            "(CC BY-NC-ND 4.0)",
            "https://creativecommons.org/licenses/by-nc-nd/4.0/",
            allows_republication=True,
            commercial=False,
            derivatives=False,
        ),
        Licence("all-rights-reserved", "All rights reserved", "", allows_republication=False),
    )
}

LICENCE_CHOICES = [(licence.code, licence.name) for licence in LICENCES.values()]


def get_licence(code: str) -> Licence:
    return LICENCES.get(code) or LICENCES["all-rights-reserved"]


def default_licence() -> str:
    from django.conf import settings

    return settings.DEFAULT_LICENCE if settings.DEFAULT_LICENCE in LICENCES else "cc-by-nc-4.0"
