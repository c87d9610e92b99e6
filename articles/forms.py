from django import forms
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from articles.models import Article, HelpfulVote, ReaderComment
from articles.search import MAX_QUERY_LENGTH, Filters


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


class SearchForm(forms.Form):
    """The search box and its filters. Bad filter values are dropped, never an error page:
    a reader who edits the URL gets the search without that filter."""

    q = forms.CharField(label=_("Search articles"), required=False, max_length=MAX_QUERY_LENGTH)
    country = forms.ChoiceField(label=_("Country"), required=False)
    group = forms.ChoiceField(label=_("Criminal group"), required=False)
    section = forms.ChoiceField(label=_("Section"), required=False)
    language = forms.ChoiceField(label=_("Language"), required=False)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1990, max_value=2100)

    def __init__(self, data, *, choices: dict[str, list[tuple[str, str]]]) -> None:
        super().__init__(data)
        anything = {
            "country": _("Any country"),
            "group": _("Any group"),
            "section": _("Any section"),
        }
        for name, label in anything.items():
            self.fields[name].choices = [("", label), *choices[name]]
        self.fields["language"].choices = [("", _("Any language")), *Article.Language.choices]

    def query_and_filters(self) -> tuple[str, Filters]:
        self.is_valid()
        data = self.cleaned_data
        # Data the form refused (e.g. a query over the limit) is cut, not lost.
        query = data.get("q") or self.data.get("q", "")[:MAX_QUERY_LENGTH]
        filters = Filters(
            country=data.get("country") or "",
            group=data.get("group") or "",
            section=data.get("section") or "",
            language=data.get("language") or "",
            year=data.get("year"),
        )
        return query.strip(), filters


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
