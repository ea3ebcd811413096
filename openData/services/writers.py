"""Writing release files in flat memory: every byte passes through a sink that hashes it, counts
it and feeds the personal-data gate's scanner as it goes to disk."""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import os
import pickle
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.db import connection
from django.db.models import QuerySet

from openData.builders import Field, Sql
from openData.gate import TextScanner, scan_values

CHUNK = 1 << 16


class Sink(io.RawIOBase):
    """A binary file writer that hashes (SHA-256), counts and scans what it writes.

    PostgreSQL's COPY hands it one row per call; the pieces are gathered into CHUNK-sized
    blocks first, so hashing, scanning and disk writes cost one call per block, not per row.
    The scanner is fed decoded text and carries an unfinished line (or a UTF-8 sequence cut in
    two) over to the next block.
    """

    def __init__(self, path: Path, scanner: TextScanner) -> None:
        super().__init__()
        self.path = path
        self._file = open(path, "wb")  # noqa: SIM115 (closed in close())
        self._hash = hashlib.sha256()
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.scanner = scanner
        self.size = 0
        self._block = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        if isinstance(data, str):
            data = data.encode()
        self._block += data
        if len(self._block) >= CHUNK:
            self._flush()
        return len(data)

    def _flush(self) -> None:
        block = bytes(self._block)
        self._block.clear()
        self._file.write(block)
        self._hash.update(block)
        self.size += len(block)
        # The incremental decoder keeps a UTF-8 sequence cut in two for the next block.
        self.scanner.feed(self._decoder.decode(block))

    def close(self) -> None:
        if not self.closed:
            self._flush()
            self.scanner.feed(self._decoder.decode(b"", final=True))
            self.scanner.close()
            self._file.close()
        super().close()

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()


def _header(fields: Sequence[Field]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow([f.name for f in fields])
    return out.getvalue()


def is_sql(rows) -> bool:
    return isinstance(rows, QuerySet | Sql)


def _copy_into(handle, rows: QuerySet | Sql, fields: Sequence[Field]) -> int:
    """Write the header and COPY the rows into a binary file object; returns the row count."""
    if isinstance(rows, Sql):
        sql, params = rows.sql, rows.params
    else:
        sql, params = rows.query.sql_with_params()
    handle.write(_header(fields).encode())
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg2 cursor: copy_expert and mogrify
        statement = raw.mogrify(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params).decode()
        raw.copy_expert(statement, handle)
        # COPY's command tag "COPY n" is the row count.
        return int(raw.rowcount)


def copy_csv(path: Path, rows: QuerySet | Sql, fields: Sequence[Field]) -> int:
    """COPY the rows straight into a CSV file (a scratch file nobody downloads)."""
    with open(path, "wb", buffering=CHUNK * 16) as handle:
        return _copy_into(handle, rows, fields)


@dataclass(frozen=True)
class Checked:
    size: int
    sha256: str


def copy_csv_checked(
    path: Path, rows: QuerySet | Sql, fields: Sequence[Field], scanner: TextScanner
) -> tuple[int, Checked]:
    """COPY the rows into a CSV file, hashing and scanning every byte on the way; returns the
    row count and the file's size and SHA-256 (the scanner holds the findings).

    psycopg2 hands COPY's output over one row per write() call, which a Python writer could
    not keep up with. So COPY writes into a pipe through a C-level buffer, and a forked child
    process takes blocks from the pipe to write, hash and scan them while PostgreSQL is still
    producing rows: two cores, no lock shared with this process (a thread would fight COPY
    for the GIL on every row). The child touches no database connection and leaves with
    os._exit, so nothing of this process's state is closed or flushed twice.
    """
    if not hasattr(os, "fork"):  # not on POSIX: copy, then check the file
        count = copy_csv(path, rows, fields)
        with open(path, "rb") as source, open(os.devnull, "wb") as sink:
            return count, _pump(source, sink, scanner)
    data_read, data_write = os.pipe()
    _widen(data_write)
    result_read, result_write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child process
        status = 1
        try:
            os.close(data_write)
            os.close(result_read)
            with open(data_read, "rb", buffering=0) as source, open(path, "wb") as target:
                checked = _pump(source, target, scanner)
            answer = (checked, scanner.findings, scanner.total, scanner.lines)
            with open(result_write, "wb") as out:
                pickle.dump(answer, out)
            status = 0
        finally:
            os._exit(status)
    os.close(data_read)
    os.close(result_write)
    try:
        with open(data_write, "wb", buffering=CHUNK * 16) as pipe:
            count = _copy_into(pipe, rows, fields)
    finally:
        with open(result_read, "rb") as answer:
            payload = answer.read()
        _pid, status = os.waitpid(child, 0)
    if status != 0 or not payload:
        raise RuntimeError(f"the release file check ended with status {status}")
    checked, scanner.findings, scanner.total, scanner.lines = pickle.loads(payload)  # noqa: S301 # nosec B301 - our own forked child wrote it
    return count, checked


def _widen(pipe_fd: int) -> None:
    """A 1 MB pipe instead of 64 KB, so COPY rarely waits for the checking process (Linux's
    F_SETPIPE_SZ; elsewhere, or above the system's limit, the default stays)."""
    try:
        import fcntl

        fcntl.fcntl(pipe_fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), 1 << 20)
    except (ImportError, OSError):
        pass


def _pump(source, target, scanner: TextScanner) -> Checked:
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    size = 0
    while block := source.read(CHUNK * 16):
        target.write(block)
        digest.update(block)
        size += len(block)
        scanner.feed(decoder.decode(block))
    scanner.feed(decoder.decode(b"", final=True))
    scanner.close()
    return Checked(size=size, sha256=digest.hexdigest())


def write_csv_from_rows(sink: Sink, rows: Iterable[dict], fields: Sequence[Field]) -> int:
    names = [f.name for f in fields]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(names)
    count = 0
    for row in rows:
        writer.writerow(["" if row.get(name) is None else _csv_value(row[name]) for name in names])
        count += 1
        if buffer.tell() > CHUNK:
            sink.write(buffer.getvalue())
            buffer.seek(0)
            buffer.truncate()
    sink.write(buffer.getvalue())
    return count


def _csv_value(value) -> str:
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value)
    return str(value)


def typed(value: str, field: Field):
    """A CSV cell as the JSON/XLSX value its Table Schema type says."""
    if value == "":
        return None
    if field.type == "integer":
        return int(value)
    if field.type == "number":
        return float(value)
    if field.type == "boolean":
        return value in ("t", "true", "True", "1")
    return value


def read_csv(path: Path) -> Iterable[list[str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader, None)
        yield from reader


def write_json_from_csv(sink: Sink, csv_path: Path, fields: Sequence[Field]) -> None:
    """An array of objects, one per row, typed by the schema; written row by row."""
    sink.write("[")
    buffer = io.StringIO()
    first = True
    for cells in read_csv(csv_path):
        record = {f.name: typed(cell, f) for f, cell in zip(fields, cells, strict=True)}
        buffer.write(("\n" if first else ",\n") + json.dumps(record, ensure_ascii=False))
        first = False
        if buffer.tell() > CHUNK:
            sink.write(buffer.getvalue())
            buffer.seek(0)
            buffer.truncate()
    buffer.write("\n]\n")
    sink.write(buffer.getvalue())


def write_xlsx_from_csv(path: Path, csv_path: Path, fields: Sequence[Field], title: str) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([f.name for f in fields])
    for cells in read_csv(csv_path):
        sheet.append([typed(cell, f) for f, cell in zip(fields, cells, strict=True)])
    workbook.save(path)


def scan_xlsx(path: Path, *, file: str, names, limit: int = 50):
    """Read an XLSX back and scan every cell (the gate checks what is published, not what was
    meant to be written)."""
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True)
    try:

        def cells():
            for sheet in workbook.worksheets:
                rows = sheet.iter_rows(values_only=True)
                header = next(rows, ())
                for number, row in enumerate(rows, start=2):
                    for name, value in zip(header, row, strict=False):
                        if value is not None:
                            yield number, str(name), value

        return scan_values(cells(), file=file, names=names, limit=limit)
    finally:
        workbook.close()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
