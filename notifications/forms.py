from __future__ import annotations

from django import forms

from notifications import selectors


class PreferencesForm(forms.Form):
    """接收设置: one channel per event a user may choose for (the services check what is posted)."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        for event, current in selectors.preferences_of(user):
            self.fields[f"event-{event.key}"] = forms.ChoiceField(
                label=event.label, choices=selectors.channel_choices(), initial=current, required=False
            )
