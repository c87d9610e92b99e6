import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
django_application = get_wsgi_application()

from newsroom.pagecache import PageCacheWSGI  # noqa: E402  (needs settings loaded)
from republish.wsgi import PixelWSGI  # noqa: E402

# The republication pixel and stored public pages are answered here, before Django
# builds a request.
application = PixelWSGI(PageCacheWSGI(django_application))
