"""CSV downloads that are safe to open in a spreadsheet.

Every export goes through ``csv_response``: names, sources and campaigns come from the
public (the donate form, ``?source=``, ``?campaign=``), and a cell that starts with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula to Excel, LibreOffice
and Google Sheets (``=HYPERLINK(...)``, DDE). OWASP's advice, followed here: prefix such
text with a single quote so it is shown as text, and let the csv module quote the rest.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import Any

from django.http import StreamingHttpResponse

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_cell(value: Any) -> Any:
    """Text that a spreadsheet would run is neutralised; numbers and dates pass as they
    are (our own negative numbers are data, not formulas, and are not strings here)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class _Echo:
    """csv.writer target that hands each line straight to the streaming response."""

    def write(self, value: str) -> str:
        return value


def csv_response(
    filename: str, header: list[str], rows: Iterable[Iterable[Any]]
) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield writer.writerow([safe_cell(cell) for cell in header])
        for row in rows:
            yield writer.writerow([safe_cell(cell) for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
