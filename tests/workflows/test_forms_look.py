"""One look for every form (workflows.forms): every form of every app renders through viewflow's Material layout,
dates as YYYY-MM-DD, and no template draws a field itself. The pages themselves are walked in
tests/requests/test_form_pages.py."""

import datetime as dt
import importlib
import re
from pathlib import Path

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.forms.renderers import get_default_renderer
from django.http import QueryDict

from tests.formpost import posted_fields
from workflows import forms as form_look
from workflows.forms import FormRenderer, render_fields, renderer_for

# A field drawn by hand: Django's own renderings, a label or a field of a form, a control written out.
BY_HAND = {
    "as_p/as_table/as_ul/as_div": re.compile(r"\.as_(p|table|ul|div)\b"),
    "label_tag": re.compile(r"\blabel_tag\b"),
    "a field of a form": re.compile(r"\{\{\s*\w*form\w*\.(?!media\b)\w+"),
    "a loop over fields": re.compile(r"\{%\s*for\s+\w+\s+in\s+\w*form\w*(\.visible_fields|\.hidden_fields)?\s*%\}"),
    "a control": re.compile(r"<(select|textarea)\b|<input\b(?![^>]*type=\"hidden\")", re.IGNORECASE),
}


def our_apps() -> list:
    return [
        config
        for config in apps.get_app_configs()
        if Path(config.path).is_relative_to(settings.BASE_DIR)
        and "site-packages" not in Path(config.path).parts
        and not config.name.startswith(("tests", "benchmarks"))
    ]


def our_templates() -> list[Path]:
    folders = [Path(folder) for option in settings.TEMPLATES for folder in option["DIRS"]]
    folders += [Path(config.path) / "templates" for config in our_apps() if (Path(config.path) / "templates").is_dir()]
    mechanism = Path(form_look.__file__).parent / "templates" / "govshare" / "forms"  # the one place that may
    return sorted(path for folder in folders for path in folder.rglob("*.html") if not path.is_relative_to(mechanism))


def our_form_classes() -> list[type[forms.BaseForm]]:
    """Every form class our apps define, wherever: their modules are imported first (the URLconf imports the
    views, and with them the forms they use)."""
    importlib.import_module(settings.ROOT_URLCONF)
    names = tuple(f"{config.name}." for config in our_apps())

    def walk(klass):
        for sub in klass.__subclasses__():
            yield sub
            yield from walk(sub)

    return sorted(
        {klass for klass in walk(forms.BaseForm) if klass.__module__.startswith(names)},
        key=lambda klass: f"{klass.__module__}.{klass.__qualname__}",
    )


def test_the_walks_see_every_app():
    templates = {str(path) for path in our_templates()}
    for folder in ("catalog", "requests", "pdf_templates", "notifications", "workflows"):
        assert any(f"/{folder}/templates/" in path for path in templates), folder
    modules = {klass.__module__ for klass in our_form_classes()}
    assert {"catalog.forms", "requests.forms", "organizations.forms", "pdf_templates.forms", "notifications.forms"} <= (
        modules
    )


@pytest.mark.parametrize("template", our_templates(), ids=lambda path: str(path.relative_to(settings.BASE_DIR)))
def test_no_template_draws_a_field_itself(template):
    text = template.read_text(encoding="utf-8")
    found = [f"{what}: {match.group(0)}" for what, pattern in BY_HAND.items() for match in pattern.finditer(text)]
    assert found == [], "render the form with {{ form }} (workflows.forms)"


def test_the_scan_catches_fields_drawn_by_hand():
    for drawn in (
        "{{ form.as_p }}",
        "{{ revoke_form.reason }}",
        "{{ field.label_tag }}",
        "{% for field in form %}",
        '<select name="state">',
        '<input name="code">',
        "<textarea name=x>",
    ):
        assert any(pattern.search(drawn) for pattern in BY_HAND.values()), drawn
    assert not any(pattern.search('{{ form }}<input type="hidden" name="scope">') for pattern in BY_HAND.values())


def test_every_form_renders_through_the_material_renderer():
    assert settings.FORM_RENDERER == "workflows.forms.FormRenderer"
    assert isinstance(get_default_renderer(), FormRenderer)
    for klass in our_form_classes():
        for attribute in ("template_name", "default_renderer", "renderer"):
            assert attribute not in vars(klass), f"{klass.__qualname__}.{attribute}: every form looks the same"


@pytest.mark.parametrize("klass", our_form_classes(), ids=lambda klass: f"{klass.__module__}.{klass.__qualname__}")
def test_every_field_of_every_form_has_a_material_widget(klass):
    for name, field in klass.base_fields.items():
        renderer = renderer_for(field.widget)  # raises for a widget drawn as a bare browser control
        if isinstance(field, forms.DateField):
            assert renderer is form_look.DateRenderer, name
        date_control = field.widget.attrs.get("type") == "date" or getattr(field.widget, "input_type", "") == "date"
        assert not date_control, f"{name}: the browser's date control (mm/dd/yyyy)"
    layout = getattr(klass, "layout", None)
    if layout is not None:
        named = set(form_look.field_names(layout.children))
        assert named <= set(klass.base_fields) | {"DELETE"}, named - set(klass.base_fields)
        visible = {name for name, field in klass.base_fields.items() if not field.widget.is_hidden}
        assert visible <= named, f"the layout places every field: {visible - named} missing"


class Sample(forms.Form):
    day = forms.DateField(label="日期", help_text="签发之日", initial=dt.date(2026, 3, 2))
    kinds = forms.MultipleChoiceField(
        label="类型", choices=[("a", "甲"), ("b", "乙")], widget=forms.CheckboxSelectMultiple, initial=["b"]
    )
    reason = forms.CharField(label="理由", widget=forms.Textarea, help_text="写明依据")
    token = forms.CharField(widget=forms.HiddenInput, required=False)


def test_a_form_shows_dates_in_chinese_order_and_help_and_errors_beside_their_fields():
    html = str(Sample())
    assert html.startswith('<div class="govshare-form" data-govshare-form>')
    day = re.search(r"<vf-field-date [^>]*>", html).group(0)
    assert 'value="2026-03-02"' in day and 'format="%Y-%m-%d"' in day and 'placeholder="YYYY-MM-DD"' in day
    assert 'type="text"' in day and 'help-text="签发之日"' in day
    assert re.search(
        r'<input type="checkbox" class="mdc-checkbox__native-control" name="kinds" value="b"[^>]*checked', html
    )
    assert '<input id="id_token" name="token"' in html and 'type="hidden"' in html

    bound = Sample({"day": "2026/13/40", "reason": "", "kinds": ["x"]})
    assert not bound.is_valid()
    html = str(bound)
    assert re.search(r'<vf-field-date [^>]*value="2026/13/40"[^>]*error="[^"]+"', html)  # shown back as typed
    assert re.search(r'<vf-field-textarea [^>]*error="[^"]+"', html)
    assert (
        'class="mdc-text-field-helper-text mdc-text-field-helper-text--persistent'
        in html.split('data-field="kinds"')[1]
    )


def test_a_date_typed_as_chinese_offices_write_it_is_read():
    assert Sample({"day": "2026-03-02", "reason": "依法", "kinds": ["a"]}).is_valid()


def test_a_layout_places_fields_and_leaves_out_those_the_form_removed():
    from viewflow.forms import Layout, Row

    class Laid(Sample):
        layout = Layout(Row("day", "kinds"), "reason", "gone")

    form = Laid()
    html = render_fields(form)
    assert 'class="vf-form-row mdc-layout-grid__inner"' in html
    assert html.index("vf-field-date") < html.index('data-field="kinds"') < html.index("vf-field-textarea")


def test_a_field_the_layout_does_not_name_is_drawn_after_the_laid_out_ones():
    from viewflow.forms import Layout, Row

    class Forgetful(Sample):
        layout = Layout(Row("day", "kinds"))

    html = render_fields(Forgetful({"reason": "", "day": "2026-03-02", "kinds": ["a"]}))
    assert html.index("vf-field-date") < html.index('data-field="kinds"') < html.index('name="reason"')
    assert re.search(r'<vf-field-textarea [^>]*name="reason"[^>]*error="[^"]+"', html)  # with its error


def test_a_select_shows_its_options_as_written():
    class Choice(forms.Form):
        scenario = forms.ChoiceField(label="依据的应用场景", choices=[("1", "CJ00001 低保对象认定")])
        answer = forms.ChoiceField(label="会签意见", choices=[("1", "同意")], widget=forms.RadioSelect)

    html = str(Choice())
    assert "CJ00001 低保对象认定" in html and "同意" in html
    for tag in ("vf-field-select", "vf-field-radio-select"):
        assert re.search(rf"<{tag} [^>]*optgroups=", html), tag


class Several(forms.Form):
    methods = forms.MultipleChoiceField(label="共享方式", choices=[("q", "查询接口"), ("v", "核验接口")], initial=["v"])
    departments = forms.MultipleChoiceField(label="使用部门", choices=[(str(n), f"部门{n}") for n in range(1, 21)])


def test_a_multiple_select_is_a_list_of_checkboxes_without_script():
    """viewflow's multiple select throws a script error each time it opens: a choice of several is checkboxes."""
    html = str(Several())
    assert "vf-field-select-multiple" not in html
    methods = re.search(r'<div class="govshare-choices" data-field="methods">.*?</div></div></div>', html).group(0)
    assert '<div class="govshare-choices__label">共享方式</div>' in methods
    assert re.search(r'<input type="checkbox" [^>]*name="methods" value="q" id="id_methods_0">', methods)
    assert re.search(r'name="methods" value="v" id="id_methods_1" checked="checked"', methods)  # the initial
    assert '<label for="id_methods_1">核验接口</label>' in methods
    assert 'class="govshare-choices govshare-choices--long" data-field="departments"' in html  # 20: it scrolls


def test_a_multiple_select_posts_the_checked_options():
    page = f'<form class="sample">{Several(data={"methods": ["q", "v"], "departments": ["3"]})}</form>'
    assert posted_fields(page, "sample") == [("methods", "q"), ("methods", "v"), ("departments", "3")]
    posted = QueryDict(mutable=True)
    for name, value in posted_fields(page, "sample"):
        posted.appendlist(name, value)
    form = Several(data=posted)
    assert form.is_valid() and form.cleaned_data == {"methods": ["q", "v"], "departments": ["3"]}


def test_a_widget_without_a_material_renderer_is_refused():
    class Odd(forms.Widget):
        pass

    with pytest.raises(Exception, match="no Material renderer"):
        renderer_for(Odd())
