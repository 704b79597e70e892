"""Auditor trails: a ZIP of a subject's records, their PDFs and audit events (export), and its check (verify).

The public names are importable from here as before the split.
"""

from pdf_templates.trail.export import events_visible_to, record_file_stem, stream_trail_zip, trail_events
from pdf_templates.trail.format import CHUNK, EVENT_FIELDS, TRAIL_FORMAT, TRAIL_FORMATS, csv_row, event_row
from pdf_templates.trail.verify import TrailReport, verify_trail

__all__ = [
    "CHUNK",
    "EVENT_FIELDS",
    "TRAIL_FORMAT",
    "TRAIL_FORMATS",
    "TrailReport",
    "csv_row",
    "event_row",
    "events_visible_to",
    "record_file_stem",
    "stream_trail_zip",
    "trail_events",
    "verify_trail",
]
