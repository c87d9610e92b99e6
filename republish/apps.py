from django.apps import AppConfig


class RepublishConfig(AppConfig):
    """ "Republish this story": the copyable HTML, the counting pixel, the partner feed and
    the republication reports.

    Where it sits: above ``articles`` (it reads articles and their licences; ``articles``
    never imports it: the article page shows the control through the
    ``republish/control.html`` include, which needs nothing but the article).
    """

    name = "republish"
    verbose_name = "Republication"
