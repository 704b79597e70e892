"""Template rendering shared by the channels.

Plain-text parts (titles, subjects, text bodies) render without HTML
autoescaping, so "A & B" stays "A & B"; the HTML body renders as usual.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.conf import settings
from django.template import Context, Engine
from django.template.loader import render_to_string


@cache
def _text_engine() -> Engine:
    dirs = [str(path) for backend in settings.TEMPLATES for path in backend.get("DIRS", [])]
    return Engine(dirs=dirs, app_dirs=True, autoescape=False)


def render_text(name: str, context: dict[str, Any]) -> str:
    return _text_engine().get_template(name).render(Context(context)).strip()


def render_line(name: str, context: dict[str, Any]) -> str:
    """A title or subject: one line, whatever the template's whitespace."""
    return " ".join(render_text(name, context).split())


def render_html(name: str, context: dict[str, Any]) -> str:
    return render_to_string(name, context)


def absolute_url(link: str) -> str:
    return f"{settings.SITE_URL}{link}" if link.startswith("/") else link
