"""What a browser posts from a form of a page, read from its HTML: for tests that submit a form as shown.

Forms render through workflows.forms: most fields are viewflow's Material elements (vf-field-*), whose
scripts put a control of the element's name and value into the form; lists of checkboxes and hidden fields
are plain inputs.
"""

from __future__ import annotations

from html.parser import HTMLParser

# vf-field-* elements that post their value attribute as it stands.
VALUE_ELEMENTS = {
    "vf-field-input",
    "vf-field-textarea",
    "vf-field-date",
    "vf-field-time",
    "vf-field-password",
    "vf-field-select",
    "vf-field-radio-select",
}


class _Form(HTMLParser):
    def __init__(self, form_class: str):
        super().__init__()
        self.form_class = form_class
        self.fields: list[tuple[str, str]] = []
        self._inside = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._inside = self.form_class in (attrs.get("class") or "").split()
        if not self._inside or "name" not in attrs:
            return
        name, value = attrs["name"], attrs.get("value") or ""
        if tag == "input" and attrs.get("type") in ("checkbox", "radio"):
            if "checked" in attrs:
                self.fields.append((name, value or "on"))
        elif tag == "input" and attrs.get("type") != "file":
            self.fields.append((name, value))
        elif tag in VALUE_ELEMENTS:
            if tag != "vf-field-radio-select" or value:
                self.fields.append((name, value))
        elif tag == "vf-field-checkbox":
            if "checked" in attrs:
                self.fields.append((name, "on"))

    def handle_endtag(self, tag):
        if tag == "form":
            self._inside = False


def posted_fields(page: str, form_class: str) -> list[tuple[str, str]]:
    """The (name, value) pairs the browser posts from the page's form of class `form_class`."""
    parser = _Form(form_class)
    parser.feed(page)
    return parser.fields
