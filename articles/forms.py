from django import forms
from django.utils.translation import gettext_lazy as _

from articles.models import ReaderComment


class ReaderCommentForm(forms.ModelForm):
    # Honeypot: hidden from people by CSS and aria-hidden; bots fill every field.
    website = forms.CharField(required=False, label=_("Leave this field empty"))

    class Meta:
        model = ReaderComment
        fields = ["name", "email", "message"]
        labels = {"name": _("Your name"), "email": _("Your email"), "message": _("Your comments")}
        widgets = {"message": forms.Textarea(attrs={"rows": 8})}

    def clean_message(self) -> str:
        message = self.cleaned_data["message"].strip()
        if len(message) < 10:
            raise forms.ValidationError(
                _("Please write at least a sentence (10 characters or more).")
            )
        return message

    def is_bot(self) -> bool:
        return bool(self.cleaned_data.get("website"))

    def comment_fields(self) -> dict:
        return {key: self.cleaned_data[key] for key in ("name", "email", "message")}
