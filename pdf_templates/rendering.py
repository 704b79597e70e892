"""HTML → PDF for one record: layout after GB/T 9704-2012, seal, QR code and data hash."""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from weasyprint import HTML

from pdf_templates import signing
from pdf_templates.dates import chinese_date
from pdf_templates.models import Record, RecordType
from pdf_templates.seal import seal_svg


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    signed: bool
    signature_field: str


def verify_url(record: Record) -> str:
    return f"{settings.SITE_URL}/verify/{record.verification_code}"


def header_font_pt(name: str) -> int:
    """The largest size, up to 36 pt, at which the issuer mark fits the 156 mm type area."""
    type_area_pt = 156 / 25.4 * 72
    return max(14, min(36, int(type_area_pt / max(len(name), 1) * 0.92)))


# 2号 (22 pt) characters on the 156 mm line.
TITLE_LINE_CHARS = 20
# The document-type words a title ends with; a title may break before them, never inside.
TITLE_DOCUMENT_WORDS = sorted({*RecordType.labels, "通知书", "告知书", "确认书", "意见书", "核验单", "通知"}, key=len)[
    ::-1
]


def title_segments(title: str) -> list[str]:
    """The title cut where GB/T 9704 §7.3.2 lets it break: between words, never inside one.

    After 关于 and its subject (before 申请, 拟 or a quotation), after 申请共享, around a quoted
    name (“…” or 《…》), and before the closing 的 and the document type (…的审核意见书).
    """
    cuts = {0, len(title)}
    if title.startswith("关于"):
        subject_end = re.search(r"申请|拟|“|《", title[3:])
        if subject_end:
            cuts.add(3 + subject_end.start())
    for match in re.finditer(r"申请共享", title):
        cuts.add(match.end())
    for match in re.finditer(r"“[^”]*”|《[^》]*》", title):
        cuts.update((match.start(), match.end()))
    last_de = title.rfind("的")
    if last_de > 0 and len(title) - last_de <= 10:
        cuts.add(last_de)
    else:
        for word in TITLE_DOCUMENT_WORDS:
            if title.endswith(word) and len(title) > len(word) + 1:
                cuts.add(len(title) - len(word))
                break
    return [title[start:end] for start, end in pairwise(sorted(cuts)) if title[start:end]]


def title_html(title: str) -> SafeString:
    """The title with line breaks allowed only between its segments (each kept on one line by
    nowrap, <wbr> between them); a segment too long for a line may still break inside."""
    parts = []
    for segment in title_segments(title):
        text = escape(segment)
        parts.append(f'<span class="nb">{text}</span>' if len(segment) <= TITLE_LINE_CHARS else text)
    return mark_safe("<wbr>".join(parts))


SEAL_SIZE_MM = 40


def stamp_geometry(name: str) -> dict[str, float]:
    """Width of the issuer-name-and-date block (16 pt characters) and the seal offset that centres it."""
    width_pt = max(len(name), 11) * 16
    seal_pt = SEAL_SIZE_MM / 25.4 * 72
    return {"stamp_width_pt": width_pt, "seal_left_pt": round((width_pt - seal_pt) / 2, 1)}


def signature_field_name(record: Record) -> str:
    """The signature field is named after the issuer (its code keeps the name ASCII-safe)."""
    return f"{record.issuer.name}（{record.issuer.code}）"


def _paragraphs(data: dict) -> list[str]:
    body = data.get("body", [])
    if isinstance(body, str):
        return [line for line in body.splitlines() if line.strip()]
    return [str(line) for line in body]


# A fact whose value is wider than this (in full-width characters) takes a row of its own in the
# facts table; half a row at 5号 holds about 14.
FACT_HALF_ROW_WIDTH = 14


def text_width(text: str) -> float:
    """Width in full-width characters: ASCII letters and digits count half."""
    return sum(0.5 if ord(char) < 128 else 1 for char in text)


def fact_rows(facts) -> list[list[dict]]:
    """The facts two to a row (label, value, label, value), a long one alone, in their order."""
    rows: list[list[dict]] = []
    half: list[dict] = []
    for fact in facts or []:
        if text_width(str(fact.get("value", ""))) > FACT_HALF_ROW_WIDTH or text_width(str(fact.get("label", ""))) > 6:
            if half:
                rows.append(half)
                half = []
            rows.append([fact])
            continue
        half.append(fact)
        if len(half) == 2:
            rows.append(half)
            half = []
    if half:
        rows.append(half)
    return rows


def fonts() -> dict[str, str]:
    return {
        "heading": settings.RECORDS_FONT_HEADING,
        "body": settings.RECORDS_FONT_BODY,
        "sans": settings.RECORDS_FONT_SANS,
    }


def seal_font_family() -> str:
    """The seal's text uses the first family of the heading list (an SVG attribute, not a CSS list)."""
    return fonts()["heading"].split(",")[0].strip().strip("\"'")


def record_html(record: Record, *, will_sign: bool) -> str:
    content = record.content
    url = verify_url(record)
    qr = segno.make(url, error="m")
    font_set = fonts()
    # As issued (a department renamed before the worker renders does not change the record);
    # records issued before the snapshot held the seal text fall back to the department's.
    issuer = content["issuer"]
    seal_text = issuer.get("seal_text") or record.issuer.seal_text
    return render_to_string(
        f"pdf_templates/records/{record.type}.html",
        {
            "record": record,
            "issuer": issuer,
            "issuer_full_name": seal_text,
            "header_pt": header_font_pt(seal_text),
            **stamp_geometry(seal_text),
            "data": content["data"],
            "paragraphs": _paragraphs(content["data"]),
            "fact_rows": fact_rows(content["data"].get("facts")),
            "title_html": title_html(record.title),
            "supersedes": record.supersedes,
            "date_cn": chinese_date(record.issued_at),
            "seal": seal_svg(seal_text, record.seal_purpose, font_family=seal_font_family(), size=f"{SEAL_SIZE_MM}mm"),
            "qr_data_uri": qr.svg_data_uri(scale=4, border=0),
            "verify_url": url,
            "hash_grouped": record.data_sha256_grouped,
            "fonts": font_set,
            "will_sign": will_sign,
            "signature_field": signature_field_name(record),
        },
    )


def render_record_pdf(record: Record) -> RenderedPdf:
    """The finished PDF bytes: rendered, then signed when a key is configured."""
    will_sign = signing.signing_configured()
    html = record_html(record, will_sign=will_sign)
    pdf = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
    field = ""
    if will_sign:
        field = signature_field_name(record)
        pdf = signing.sign_pdf(pdf, field_name=field, reason=f"{record.number} {record.title}")
    return RenderedPdf(content=pdf, signed=will_sign, signature_field=field)


def missing_glyph_fonts(pdf: bytes) -> list[str]:
    """Names of the CMaps WeasyPrint wrote for fonts that lack glyphs ('/WP-Encod…').

    WeasyPrint writes the CMap dictionary uncompressed, so the name appears in
    the raw bytes; compressed streams are searched too, in case an object
    stream ever holds it.
    """
    import re
    import zlib

    found = set(re.findall(rb"/(WP-Encod[^\s/<>\[\]()]*)", pdf))
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        try:
            found.update(re.findall(rb"/(WP-Encod[^\s/<>\[\]()]*)", zlib.decompress(match.group(1))))
        except zlib.error:
            continue
    return sorted(name.decode("latin-1") for name in found)
