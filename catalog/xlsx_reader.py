"""A streaming reader of xlsx cell values. No Django.

openpyxl's read-only mode builds an object per cell and per string, which makes
it spend most of a 100,000-row import parsing (benchmark B4). The import needs
only values, so this reads the sheet XML with the standard library's streaming
parser. It offers the small part of openpyxl's read-only API the import uses:
`sheetnames`, `wb[name].iter_rows(values_only=True)`, `max_row` and `close()`.
Dates are not converted: the catalog sheets have no date columns.

A workbook is untrusted input, so `Limits` bound it BEFORE it is read: the sum of its
members' declared uncompressed sizes (Python's zipfile never inflates a member past its
declared size, so the declaration is a real bound) and each large member's compression
ratio are checked when it is opened, its sheets' declared dimensions when a sheet is
opened; while reading, a row or column index beyond the limit is refused as soon as its
tag starts (a row numbered 20,000,000 is not padded up to), and so is a row with more
cells than columns or a workbook with more rows than allowed. Each refusal is a
`TooLarge`, which says what was too large; the caller words the message.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO
from xml.etree.ElementTree import iterparse

_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CELL_REF = re.compile(r"([A-Z]+)(\d+)")
_DIMENSION = re.compile(r"([A-Z]+)(\d+)$")

# Apache POI's default: an entry that inflates more than 100 times is a zip bomb. Small members
# (styles, a short sheet of repeated blanks) may legitimately inflate more, so only large ones count.
RATIO_CHECKED_ABOVE_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What an untrusted workbook may declare or contain; None: no limit."""

    max_rows: int | None = None  # in all sheets read together, and the largest row number
    max_columns: int | None = None  # the largest column number, and the most cells in a row
    max_uncompressed_bytes: int | None = None  # the sum of every member's declared size
    max_compression_ratio: float | None = None  # of each member larger than RATIO_CHECKED_ABOVE_BYTES


class TooLarge(Exception):
    """A workbook beyond a limit. `kind`: rows, columns, bytes or ratio; `where`: the sheet or member."""

    def __init__(self, kind: str, value: float, limit: float, where: str = "") -> None:
        super().__init__(f"{kind} {value} > {limit} {where}".strip())
        self.kind, self.value, self.limit, self.where = kind, value, limit, where


def _over(value: float, limit: float | None) -> bool:
    return limit is not None and value > limit


def _local(tag: str) -> str:
    # Transitional and Strict OOXML use different namespaces for the same names.
    return tag.rsplit("}", 1)[-1]


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


def _text_of(element) -> str:
    """The text of a shared or inline string: plain <t>, or the <t> of each rich-text run.

    Phonetic guides (<rPh>) are not part of the value.
    """
    parts = []
    for child in element:
        name = _local(child.tag)
        if name == "t":
            parts.append(child.text or "")
        elif name == "r":
            parts.extend(run.text or "" for run in child if _local(run.tag) == "t")
    return "".join(parts)


def _number(raw: str) -> int | float:
    return float(raw) if ("." in raw or "E" in raw or "e" in raw) else int(raw)


class Sheet:
    def __init__(self, workbook: Workbook, name: str, path: str) -> None:
        self._workbook = workbook
        self._archive = workbook._archive
        self._limits = workbook.limits
        self._path = path
        self._shared: list[str] = []
        self.name = name
        self.max_row, self.max_column = self._read_dimension()
        self._check_row(self.max_row or 0)
        self._check_column(self.max_column or 0)

    def _read_dimension(self) -> tuple[int | None, int | None]:
        """The declared last row and column (<dimension ref="A1:S120">), when the file says."""
        with self._archive.open(self._path) as stream:
            for _, element in iterparse(stream, events=("start",)):
                name = _local(element.tag)
                if name == "dimension":
                    match = _DIMENSION.search(element.get("ref", "").upper())
                    return (int(match.group(2)), _column_index(match.group(1)) + 1) if match else (None, None)
                if name == "sheetData":
                    break
        return None, None

    def _check_row(self, number: int) -> None:
        if _over(number, self._limits.max_rows):
            raise TooLarge("rows", number, self._limits.max_rows, self.name)  # type: ignore[arg-type]

    def _check_column(self, number: int) -> None:
        if _over(number, self._limits.max_columns):
            raise TooLarge("columns", number, self._limits.max_columns, self.name)  # type: ignore[arg-type]

    def _count_rows(self, count: int) -> None:
        self._workbook.rows_read += count
        self._check_row(self._workbook.rows_read)

    def _column_of(self, cell, position: int) -> int:
        ref = cell.get("r")
        if not ref:
            return position
        match = _CELL_REF.match(ref)
        if not match:
            return position
        # Eight letters are already beyond any limit: a reference of a thousand letters is not summed.
        column = _column_index(match.group(1)[:8])
        self._check_column(column + 1)
        return column

    def _value(self, cell):
        kind = cell.get("t", "n")
        if kind == "inlineStr":
            inline = next((child for child in cell if _local(child.tag) == "is"), None)
            return _text_of(inline) if inline is not None else None
        raw = next((child.text for child in cell if _local(child.tag) == "v"), None)
        if raw is None:
            return None
        if kind == "s":
            return self._shared[int(raw)]
        if kind == "b":
            return raw == "1"
        if kind in ("str", "e"):
            return raw
        return _number(raw)

    def iter_rows(self, values_only: bool = True) -> Iterator[tuple]:
        """Every row from the first, an empty tuple for a row the file leaves out.

        A row's number and its count of cells are checked as their tags start, before the
        row is built or the rows it skips are padded in.
        """
        expected = 1
        number = 1
        cells = 0
        max_cells = self._limits.max_columns
        self._shared = self._workbook.shared_strings
        with self._archive.open(self._path) as stream:
            for event, element in iterparse(stream, events=("start", "end")):
                name = _local(element.tag)
                if event == "start":
                    if name == "c":
                        cells += 1
                        if max_cells is not None and cells > max_cells:
                            raise TooLarge("columns", cells, max_cells, self.name)
                    elif name == "row":
                        number = int(element.get("r", expected))
                        self._check_row(number)
                        self._count_rows(max(number - expected + 1, 1))
                        cells = 0
                    continue
                if name != "row":
                    continue
                while expected < number:
                    yield ()
                    expected += 1
                values: list = []
                for position, cell in enumerate(c for c in element if _local(c.tag) == "c"):
                    column = self._column_of(cell, position)
                    values.extend([None] * (column - len(values)))
                    values.append(self._value(cell))
                yield tuple(values)
                expected = number + 1
                element.clear()


class Workbook:
    def __init__(self, source: IO[bytes] | str, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        self.rows_read = 0  # in every sheet iterated, for Limits.max_rows
        self._archive = zipfile.ZipFile(source)
        try:
            self._check_sizes()
        except TooLarge:
            self._archive.close()
            raise
        targets = self._relationship_targets()
        self._sheets: dict[str, str] = {}
        with self._archive.open("xl/workbook.xml") as stream:
            for _, element in iterparse(stream):
                if _local(element.tag) == "sheet":
                    rel_id = element.get(f"{{{_REL_NS}}}id") or element.get("id")
                    self._sheets[element.get("name")] = targets[rel_id]
        self._shared: list[str] | None = None

    @property
    def sheetnames(self) -> list[str]:
        return list(self._sheets)

    def __getitem__(self, name: str) -> Sheet:
        return Sheet(self, name, self._sheets[name])

    def close(self) -> None:
        self._archive.close()

    @property
    def uncompressed_size(self) -> int:
        """The sum of the members' declared sizes: what reading all of it would inflate."""
        return sum(member.file_size for member in self._archive.infolist())

    def _check_sizes(self) -> None:
        """From the zip's central directory only: nothing is inflated yet."""
        limits = self.limits
        if _over(self.uncompressed_size, limits.max_uncompressed_bytes):
            raise TooLarge("bytes", self.uncompressed_size, limits.max_uncompressed_bytes)  # type: ignore[arg-type]
        if limits.max_compression_ratio is None:
            return
        for member in self._archive.infolist():
            if member.file_size > RATIO_CHECKED_ABOVE_BYTES:
                ratio = member.file_size / max(member.compress_size, 1)
                if ratio > limits.max_compression_ratio:
                    raise TooLarge("ratio", round(ratio), limits.max_compression_ratio, member.filename)

    def _relationship_targets(self) -> dict[str, str]:
        targets = {}
        with self._archive.open("xl/_rels/workbook.xml.rels") as stream:
            for _, element in iterparse(stream):
                if _local(element.tag) == "Relationship":
                    target = element.get("Target", "")
                    path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
                    targets[element.get("Id")] = path
        return targets

    @property
    def shared_strings(self) -> list[str]:
        """Read when a sheet's rows are first read: sizing a workbook up does not need them."""
        if self._shared is None:
            self._shared = self._read_shared_strings()
        return self._shared

    def _read_shared_strings(self) -> list[str]:
        if "xl/sharedStrings.xml" not in self._archive.namelist():
            return []
        strings = []
        with self._archive.open("xl/sharedStrings.xml") as stream:
            for _, element in iterparse(stream):
                if _local(element.tag) == "si":
                    strings.append(_text_of(element))
                    element.clear()
        return strings


def open_workbook(source: IO[bytes] | str, limits: Limits | None = None) -> Workbook:
    """Raises TooLarge beyond `limits`, an exception of some other kind when the source is not an xlsx file."""
    return Workbook(source, limits)
