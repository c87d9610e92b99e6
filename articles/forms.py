from django import forms
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from articles.models import HelpfulVote, ReaderComment


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


class HelpfulFollowUpForm(forms.Form):
    """After a vote: why not (a "No"), or what helped (a "Yes"). Everything is optional."""

    reason = forms.ChoiceField(
        label=gettext_lazy("What was the problem?"),
        choices=HelpfulVote.Reason.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    comment = forms.CharField(
        label=gettext_lazy("Anything else? (optional)"),
        max_length=HelpfulVote.COMMENT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": HelpfulVote.COMMENT_MAX_LENGTH}),
        help_text=gettext_lazy("Up to 500 characters. Please leave out personal details."),
    )

    def __init__(self, *args, vote: HelpfulVote, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.vote = vote
        if vote.helpful:
            del self.fields["reason"]
            self.fields["comment"].label = gettext_lazy("What helped? (optional)")

    def clean(self) -> dict:
        cleaned = super().clean()
        if not cleaned.get("reason") and not cleaned.get("comment", "").strip():
            raise forms.ValidationError(
                gettext_lazy("Choose a reason or write a few words, or go back to the article.")
            )
        return cleaned
