from django import forms

from organizations.models import Substitution, User


class SubstitutionForm(forms.ModelForm):
    class Meta:
        model = Substitution
        fields = ["substitute", "starts_on", "ends_on", "reason"]

    def __init__(self, *args, principal: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.principal = principal
        # The administrator's account is not a colleague: it may do anything already.
        self.fields["substitute"].queryset = User.objects.filter(
            department=principal.department, department__isnull=False, is_active=True, is_superuser=False
        ).exclude(pk=principal.pk)
