from django.conf import settings
from django.core.checks import Error, register

from articles.licences import LICENCES


@register()
def default_licence_is_known(app_configs, **kwargs) -> list[Error]:
    if settings.DEFAULT_LICENCE in LICENCES:
        return []
    return [
        Error(
            f"DEFAULT_LICENCE={settings.DEFAULT_LICENCE!r} is not a known licence.",
            hint=f"Use one of: {', '.join(LICENCES)}.",
            id="articles.E001",
        )
    ]
