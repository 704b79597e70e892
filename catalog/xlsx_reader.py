"""A streaming reader of xlsx cell values. No Django.

openpyxl's read-only mode builds an object per cell and per string, which makes
it spend most of a 100,000-row import parsing (benchmark B4). The import needs
only values, so this reads the sheet XML with the standard library's streaming
parser. It offers the small part of openpyxl's read-only API the import uses:
`sheetnames`, `wb[name].iter_rows(values_only=True)`, `max_row` and `close()`.
Dates are not converted: the catalog sheets have no date columns.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator
from typing import IO
from xml.etree.ElementTree import iterparse

_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CELL_REF = re.compile(r"([A-Z]+)(\d+)")
_DIMENSION = re.compile(r":?[A-Z]+(\d+)$")


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
    def __init__(self, archive: zipfile.ZipFile, path: str, shared: list[str]) -> None:
        self._archive = archive
        self._path = path
        self._shared = shared
        self.max_row = self._read_max_row()

    def _read_max_row(self) -> int | None:
        with self._archive.open(self._path) as stream:
            for _, element in iterparse(stream, events=("start",)):
                name = _local(element.tag)
                if name == "dimension":
                    match = _DIMENSION.search(element.get("ref", ""))
                    return int(match.group(1)) if match else None
                if name == "sheetData":
                    return None
        return None

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
        """Every row from the first, an empty tuple for a row the file leaves out."""
        expected = 1
        with self._archive.open(self._path) as stream:
            for _, element in iterparse(stream, events=("end",)):
                if _local(element.tag) != "row":
                    continue
                number = int(element.get("r", expected))
                while expected < number:
                    yield ()
                    expected += 1
                values: list = []
                for position, cell in enumerate(c for c in element if _local(c.tag) == "c"):
                    match = _CELL_REF.match(cell.get("r", ""))
                    column = _column_index(match.group(1)) if match else position
                    values.extend([None] * (column - len(values)))
                    values.append(self._value(cell))
                yield tuple(values)
                expected = number + 1
                element.clear()


class Workbook:
    def __init__(self, source: IO[bytes] | str) -> None:
        self._archive = zipfile.ZipFile(source)
        targets = self._relationship_targets()
        self._sheets: dict[str, str] = {}
        with self._archive.open("xl/workbook.xml") as stream:
            for _, element in iterparse(stream):
                if _local(element.tag) == "sheet":
                    rel_id = element.get(f"{{{_REL_NS}}}id") or element.get("id")
                    self._sheets[element.get("name")] = targets[rel_id]
        self._shared = self._shared_strings()

    @property
    def sheetnames(self) -> list[str]:
        return list(self._sheets)

    def __getitem__(self, name: str) -> Sheet:
        return Sheet(self._archive, self._sheets[name], self._shared)

    def close(self) -> None:
        self._archive.close()

    def _relationship_targets(self) -> dict[str, str]:
        targets = {}
        with self._archive.open("xl/_rels/workbook.xml.rels") as stream:
            for _, element in iterparse(stream):
                if _local(element.tag) == "Relationship":
                    target = element.get("Target", "")
                    path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
                    targets[element.get("Id")] = path
        return targets

    def _shared_strings(self) -> list[str]:
        if "xl/sharedStrings.xml" not in self._archive.namelist():
            return []
        strings = []
        with self._archive.open("xl/sharedStrings.xml") as stream:
            for _, element in iterparse(stream):
                if _local(element.tag) == "si":
                    strings.append(_text_of(element))
                    element.clear()
        return strings


def open_workbook(source: IO[bytes] | str) -> Workbook:
    """Raises an exception of some kind when the source is not an xlsx file."""
    return Workbook(source)
