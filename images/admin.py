"""The library in the admin: upload, describe, set the focal point, see the renditions."""

from __future__ import annotations

from django.contrib import admin
from django.core.files.storage import default_storage
from django.http import JsonResponse
from django.urls import path
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from images.markup import crop_files, picture
from images.models import Image
from images.services import image_renditions_on_commit


def thumbnail(image: Image | None, *, width: int = 160):
    """A small preview for admin lists and pickers (the smallest card rendition)."""
    data = (image.display if image else None) or {}
    files = crop_files(data, "card")
    if not files:
        return "—"
    return format_html(
        '<img src="{}" width="{}" alt="" class="library-thumb">',
        default_storage.url(files[0]["jpeg"]),
        width,
    )


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    list_display = ["id", "thumb", "alt_text", "credit", "may_republish", "size", "created"]
    list_display_links = ["thumb", "alt_text"]
    list_filter = ["may_republish", "created"]
    search_fields = ["alt_text", "caption", "credit", "source"]  # also the pickers' type-ahead
    readonly_fields = ["focal_preview", "size", "uploaded_by", "created"]
    fieldsets = [
        (None, {"fields": ["file", "alt_text", "caption", "credit", "source", "may_republish"]}),
        (_("Cropping"), {"fields": [("focal_x", "focal_y"), "focal_preview"]}),
        (_("Record"), {"fields": ["size", "uploaded_by", "created"]}),
    ]

    class Media:
        css = {"all": ["images/admin.css"]}
        js = ["images/focal-point.js"]

    def get_urls(self):
        urls = [
            path(
                "<int:pk>/card/",
                self.admin_site.admin_view(self.card_view),
                name="images_image_card",
            )
        ]
        return urls + super().get_urls()

    def card_view(self, request, pk: int) -> JsonResponse:
        """What the body editor shows of an inline image (static/images/library-image.js)."""
        image = Image.objects.filter(pk=pk).first()
        if image is None or not self.has_view_permission(request, image):
            return JsonResponse({"error": "not found"}, status=404)
        files = crop_files(image.display, "card")
        return JsonResponse(
            {
                "id": image.pk,
                "alt": image.alt_text,
                "credit": image.credit,
                "thumbnail": default_storage.url(files[0]["jpeg"]) if files else "",
            }
        )

    @admin.display(description=_("preview"))
    def thumb(self, obj: Image):
        return thumbnail(obj, width=96)

    @admin.display(description=_("size"))
    def size(self, obj: Image) -> str:
        return f"{obj.width} × {obj.height}" if obj.width else "—"

    @admin.display(description=_("focal point"))
    def focal_preview(self, obj: Image):
        if not obj.pk or not obj.display.get("crops"):
            return _("Save the picture to see it here; then click it to set the focal point.")
        return format_html(
            '<div class="focal-preview" data-focal-x="{}" data-focal-y="{}">{}'
            '<span class="focal-marker" aria-hidden="true"></span></div>'
            '<p class="help">{}</p>',
            obj.focal_x,
            obj.focal_y,
            picture(obj, "full", caption=False, sizes="480px"),
            _("Click the part of the picture that must stay in view when it is cropped."),
        )

    def has_change_permission(self, request, obj: Image | None = None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        # Writers (who cannot delete images) edit the pictures they uploaded; a caption or
        # credit on someone else's picture, possibly in a published story, is an editor's.
        return (
            obj is None
            or request.user.has_perm("images.delete_image")
            or obj.uploaded_by_id == request.user.pk
        )

    def save_model(self, request, obj: Image, form, change: bool) -> None:
        if not change:
            obj.uploaded_by = request.user
        # The save itself redraws the bodies showing an edited caption or credit, and a
        # delete removes the picture from them (Image.save, ImagesConfig.ready).
        super().save_model(request, obj, form, change)
        image_renditions_on_commit(obj)
