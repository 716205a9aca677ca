"""File downloads built from rows: CSV streamed as it is written, so large exports use little memory."""

import csv
from collections.abc import Iterable

from django.http import StreamingHttpResponse


class Echo:
    """A file-like object whose write returns the text, so csv.writer can feed a stream."""

    def write(self, value: str) -> str:
        return value


def csv_download(rows: Iterable[list[str]], filename: str) -> StreamingHttpResponse:
    writer = csv.writer(Echo())
    response = StreamingHttpResponse((writer.writerow(row) for row in rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
