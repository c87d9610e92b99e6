"""The featured image moves from four columns on the article to the image library.

An article that had an uploaded picture gets a library image for the same stored file, with
its alt text, caption and credit (an empty credit or alt becomes a visible placeholder for
editors to fix); ``manage.py generate_renditions`` then makes its renditions.
"""

import django.db.models.deletion
from django.db import migrations, models


def to_library(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    Image = apps.get_model("images", "Image")
    for article in Article.objects.exclude(featured_image="").iterator():
        image = Image.objects.create(
            file=article.featured_image.name,
            alt_text=article.featured_image_alt or article.title,
            caption=article.featured_image_caption,
            credit=article.featured_image_credit or "—",
            display={
                "alt": article.featured_image_alt or article.title,
                "caption": article.featured_image_caption,
                "credit": article.featured_image_credit or "—",
                "original": article.featured_image.name,
                "crops": {},
            },
        )
        Article.objects.filter(pk=article.pk).update(picture=image)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0004_vocabulary_in_spanish"),
        ("images", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="body_html",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name="article",
            name="picture",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="featured_in",
                to="images.image",
            ),
        ),
        migrations.RunPython(to_library, migrations.RunPython.noop),
        migrations.RemoveField(model_name="article", name="featured_image"),
        migrations.RemoveField(model_name="article", name="featured_image_alt"),
        migrations.RemoveField(model_name="article", name="featured_image_caption"),
        migrations.RemoveField(model_name="article", name="featured_image_credit"),
        migrations.RenameField(model_name="article", old_name="picture", new_name="featured_image"),
        migrations.AlterField(
            model_name="article",
            name="featured_image",
            field=models.ForeignKey(
                blank=True,
                help_text="From the image library: shown above the story, on its cards and when shared.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="featured_in",
                to="images.image",
                verbose_name="featured image",
            ),
        ),
    ]
