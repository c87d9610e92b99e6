import pytest

from images.services import image_create
from tests.images.conftest import upload


@pytest.fixture
def picture(db, django_capture_on_commit_callbacks):
    """A library image made as the admin makes one (renditions from the task)."""
    with django_capture_on_commit_callbacks(execute=True):
        image = image_create(
            file=upload("port.jpg"),
            alt_text="Containers at the port",
            credit="Photo: Test Desk",
            caption="The port at night.",
        )
    image.refresh_from_db()
    return image


def largest_full_rendition_url(image) -> str:
    """What social cards, sitemaps and feeds should point to: the largest 'full' JPEG."""
    crops = image.display["crops"]
    files = crops["full"] if not isinstance(crops["full"], str) else crops[crops["full"]]
    return f"http://testserver/media/{files[-1]['jpeg']}"
