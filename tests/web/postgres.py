"""A throw-away PostgreSQL 15 cluster for the test session, on a free loopback port.

PostgreSQL refuses to run as root, so under root (CI) initdb and pg_ctl run as the ``postgres``
user in a temporary directory that user owns; otherwise as the current user. fsync is off: the
cluster lives for one test run.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PG_BIN = Path(os.environ.get("VERITY_PG_BIN", "/usr/lib/postgresql/15/bin"))
USER = "verity"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def available() -> bool:
    return (PG_BIN / "initdb").exists() and (PG_BIN / "pg_ctl").exists()


@contextmanager
def postgres_cluster() -> Iterator[str]:
    """Start a cluster; yield its server URL (``postgresql://verity@127.0.0.1:PORT``); stop and delete it."""
    root = Path(tempfile.mkdtemp(prefix="verity-pg-"))
    as_root = os.geteuid() == 0

    def run(*args: str) -> None:
        command = ["runuser", "-u", "postgres", "--", *args] if as_root else list(args)
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    if as_root:
        shutil.chown(root, "postgres", "postgres")
    data, port = root / "data", free_port()
    try:
        run(str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", USER, "-E", "UTF8", "--no-sync")
        options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        run(str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(root / "log"), "-o", options, "-w", "start")
        try:
            yield f"postgresql://{USER}@127.0.0.1:{port}"
        finally:
            run(str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
    finally:
        shutil.rmtree(root, ignore_errors=True)


async def create_database(server_url: str, name: str) -> str:
    """A new empty database on the cluster; its URL."""
    import asyncpg

    connection = await asyncpg.connect(f"{server_url}/postgres")
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return f"{server_url}/{name}"
