"""One look for every form: viewflow's Material form layout and widgets, with Chinese dates.

`settings.FORM_RENDERER` is FormRenderer, so `{{ form }}` (and `{{ formset }}`) in any template renders the
form through viewflow's layout (`viewflow.forms.renderers`): each field a Material component with its label,
help text and error beside it, the form's own errors above. Nothing to inherit or include; a form that wants
fields side by side gives itself a `layout` (viewflow.forms.Layout, Row, Column, FieldSet). Templates never
render fields one by one (`tests/workflows/test_forms_look.py` holds every template and page to that).

Widgets map to viewflow's renderers, with three changes: dates are typed and shown as YYYY-MM-DD whatever the
browser's locale (never the native mm/dd/yyyy control); a choice of several (a list of checkboxes, or a multiple
select), for which viewflow's free edition ships no working element (its multiple select throws a script error
each time it opens), is Material's checkbox markup without script, in a scrolling box when the list is long; and
a select's options keep their Chinese as written (viewflow's JSON escapes it to \\uXXXX, which leaves the page's
text unreadable to search and tests).
A widget with no renderer here is an error, not a bare browser control.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from xml.etree import ElementTree

from django import forms
from django.core.exceptions import ImproperlyConfigured
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import SafeString, mark_safe
from viewflow.forms import renderers as material
from viewflow.forms.renderers import FormLayout, Layout, LayoutNode, Span, WidgetRenderer

from organizations.models import User

DATE_FORMAT = "%Y-%m-%d"
DATE_PLACEHOLDER = "YYYY-MM-DD"
CHECKMARK = "M1.73,12.91 8.1,19.28 22.79,4.59"
LONG_CHOICES = 12  # a list of more checkboxes than this scrolls in a box of its own


class FormRenderer(DjangoTemplates):
    """Django's renderer, with our form and formset templates (workflows/templates/govshare/forms/)."""

    form_template_name = "govshare/forms/form.html"
    formset_template_name = "govshare/forms/formset.html"


class DateRenderer(material.DateInputRenderer):
    """viewflow's date field (a text field with a calendar) in YYYY-MM-DD, never the browser's date control."""

    def create_root(self, context):
        widget = context["widget"]
        widget["type"] = "text"
        value = self.bound_field.value()
        if isinstance(value, dt.date):  # unbound: the initial date; bound: the text as typed, shown back
            widget["value"] = value.strftime(DATE_FORMAT)
        root = WidgetRenderer.create_root(self, context)
        root.attrib.update(type="text", format=DATE_FORMAT, placeholder=DATE_PLACEHOLDER)
        return root


class ChoicesRenderer(WidgetRenderer):
    """A choice of several (CheckboxSelectMultiple, SelectMultiple) as a list of checkboxes in Material's markup,
    styled without script; a long list scrolls in its own box."""

    def render(self, template_name, context, request=None):
        widget = context["widget"]
        options = [option for _group, group_options, _index in widget["optgroups"] for option in group_options]
        classes = "govshare-choices" + (" govshare-choices--long" if len(options) > LONG_CHOICES else "")
        root = ElementTree.SubElement(self.root, "div", {"class": classes, "data-field": widget["name"]})
        ElementTree.SubElement(root, "div", {"class": "govshare-choices__label"}).text = str(self.bound_field.label)
        box = ElementTree.SubElement(root, "div", {"class": "govshare-choices__list"})
        for index, option in enumerate(options):
            # A select's options carry no ids of their own (Django gives them to checkboxes only): number them.
            option_id = option["attrs"].get("id") or f"{widget['attrs'].get('id', 'id_' + widget['name'])}_{index}"
            self._checkbox(box, option, option_id, disabled=bool(widget["attrs"].get("disabled")))
        message = self.bound_field.errors[0] if self.bound_field.errors else self.bound_field.help_text
        if message:
            line = ElementTree.SubElement(root, "div", {"class": "mdc-text-field-helper-line"})
            kind = " mdc-text-field-helper-text--validation-msg govshare-error" if self.bound_field.errors else ""
            classes = f"mdc-text-field-helper-text mdc-text-field-helper-text--persistent{kind}"
            ElementTree.SubElement(line, "div", {"class": classes}).text = str(message)
        return root

    @staticmethod
    def _checkbox(root, option, option_id: str, *, disabled: bool) -> None:
        field = ElementTree.SubElement(root, "div", {"class": "mdc-form-field govshare-choice"})
        box = ElementTree.SubElement(field, "div", {"class": "mdc-checkbox"})
        control = {
            "type": "checkbox",
            "class": "mdc-checkbox__native-control",
            "name": option["name"],
            "value": str(option["value"]),
            "id": option_id,
        }
        if option["selected"]:
            control["checked"] = "checked"
        if disabled:
            control["disabled"] = "disabled"
        ElementTree.SubElement(box, "input", control)
        background = ElementTree.SubElement(box, "div", {"class": "mdc-checkbox__background"})
        mark = ElementTree.SubElement(background, "svg", {"class": "mdc-checkbox__checkmark", "viewBox": "0 0 24 24"})
        ElementTree.SubElement(mark, "path", {"class": "mdc-checkbox__checkmark-path", "fill": "none", "d": CHECKMARK})
        ElementTree.SubElement(background, "div", {"class": "mdc-checkbox__mixedmark"})
        ElementTree.SubElement(box, "div", {"class": "mdc-checkbox__ripple"})
        ElementTree.SubElement(field, "label", {"for": option_id}).text = str(option["label"])


class ReadableOptions:
    """A viewflow select whose options (its `optgroups` attribute, JSON) keep their characters as written."""

    def create_root(self, context):
        root = super().create_root(context)  # type: ignore[misc]
        root.attrib["optgroups"] = json.dumps(json.loads(root.attrib["optgroups"]), ensure_ascii=False)
        return root


class SelectRenderer(ReadableOptions, material.SelectRenderer):
    pass


class RadioSelectRenderer(ReadableOptions, material.RadioSelectRenderer):
    pass


RENDERERS: dict[type[forms.Widget], type[WidgetRenderer]] = {
    **material.WIDGET_RENDERERS,
    forms.DateInput: DateRenderer,
    forms.CheckboxSelectMultiple: ChoicesRenderer,
    forms.Select: SelectRenderer,
    forms.SelectMultiple: ChoicesRenderer,
    forms.RadioSelect: RadioSelectRenderer,
    forms.TextInput: material.InputRenderer,
    forms.NumberInput: material.InputRenderer,
    forms.EmailInput: material.InputRenderer,
    forms.URLInput: material.InputRenderer,
}


def renderer_for(widget: forms.Widget) -> type[WidgetRenderer]:
    for klass in type(widget).mro():
        if klass in RENDERERS:
            return RENDERERS[klass]
    raise ImproperlyConfigured(
        f"{type(widget).__name__} has no Material renderer: add one to workflows.forms.RENDERERS"
    )


class MaterialLayout(Layout):
    """viewflow's layout, drawing each field with our renderers."""

    def append_field(self, root, bound_field, renderer_class=None, layout_node=None):
        renderer_class = renderer_class or renderer_for(bound_field.field.widget)
        super().append_field(root, bound_field, renderer_class, layout_node)


def render_fields(form: forms.BaseForm) -> SafeString:
    """The form's errors, hidden fields and fields, laid out by its `layout` (one field a row by default).

    A layout may name fields the form removed for this instance (a new application has no attachments to
    remove): those are left out. A visible field the layout does not name is never dropped: it follows the
    laid-out ones, one a row (tests/workflows/test_forms_look.py holds every layout to naming its form's fields).
    """
    layout = getattr(form, "layout", None)
    if isinstance(layout, Layout):
        children = _present(layout.children, form)
        named = set(field_names(children))
        children += [field.name for field in form.visible_fields() if field.name not in named]
    elif layout is None or isinstance(layout, FormLayout):
        children = [field.name for field in form.visible_fields()]
    else:
        raise ImproperlyConfigured(f"{type(form).__name__}.layout is not a viewflow.forms.Layout")
    return mark_safe(MaterialLayout(*children).render(form))  # ElementTree escapes every text and attribute


def field_names(nodes: list[LayoutNode]) -> list[str]:
    """The names of the fields a layout's nodes place, in order."""
    names: list[str] = []
    for node in nodes:
        if isinstance(node, Span):
            names.append(node.field_name)
        else:
            names += field_names(getattr(node, "children", []))
    return names


def _present(nodes: list[LayoutNode], form: forms.BaseForm) -> list[LayoutNode]:
    kept: list[LayoutNode] = []
    for node in nodes:
        if isinstance(node, Span):
            if node.field_name in form.fields:
                kept.append(node)
        elif hasattr(node, "children"):
            children = _present(node.children, form)
            if children:
                copied = copy.copy(node)
                copied.children = children
                kept.append(copied)
        else:
            kept.append(node)
    return kept


class HandoverForm(forms.Form):
    """转交 a task (workflows.taking): to one of the colleagues who could take it."""

    to_user = forms.ModelChoiceField(label="转交给", queryset=User.objects.none())

    def __init__(self, *args, colleagues, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_user"].queryset = colleagues  # type: ignore[attr-defined]
