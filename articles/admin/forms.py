from django import forms

from ..models import Article
from ..workflow import StaleVersion, lock_for_edit


class ArticleForm(forms.ModelForm):
    """The article form carries the version it was opened at: saving over
    someone else's newer save is refused, never silently overwritten."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Article
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            expected = cleaned.get("expected_version")
            if expected is None:
                raise forms.ValidationError("The form lost track of the version it edits: reload it.")
            # The admin wraps the save in a transaction: the row stays locked
            # from this check until the save is written.
            try:
                lock_for_edit(self.instance.pk, expected)
            except StaleVersion as error:
                raise forms.ValidationError(str(error), code="stale") from None
        return cleaned


class TransitionForm(forms.Form):
    transition = forms.CharField()
    workflow_comment = forms.CharField(required=False, widget=forms.Textarea)
    workflow_at = forms.DateTimeField(
        required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )
