"""Every server the stack started listens on the loopback interface only.

The sockets come from /proc: the inodes of each stack process's (and its children's) open
sockets, matched against the kernel's TCP tables in LISTEN state.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.stack

STATE = Path(os.environ.get("USERSTREAM_HOME", Path(__file__).resolve().parents[2] / ".userstream"))
LOOPBACK = {"0100007F", "0000000000000000FFFF00000100007F", "00000000000000000000000001000000"}
# The cluster stack's Cassandra nodes (USERSTREAM_NODES=3) have loopback addresses of their own.
CLUSTER_NODES = {"0200007F", "0300007F", "0400007F"}
LISTEN = "0A"


def listening() -> dict[str, tuple[str, int]]:
    """Socket inode -> (hex address, port) for every TCP socket in LISTEN state."""
    out = {}
    for table in ["/proc/net/tcp", "/proc/net/tcp6"]:
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, port = fields[1].split(":")
            if fields[3] == LISTEN:
                out[fields[9]] = (address, int(port, 16))
    return out


def descendants(pid: int) -> set[int]:
    children = {pid}
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                ppid = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == pid:
                children |= descendants(int(proc.name))
    return children


def socket_inodes(pid: int) -> set[str]:
    inodes = set()
    try:
        for fd in (Path("/proc") / str(pid) / "fd").iterdir():
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    except OSError:
        pass
    return inodes


def test_every_stack_server_listens_on_127_0_0_1_only():
    sockets = listening()
    pid_files = sorted((STATE / "run").glob("*.pid"))
    assert len(pid_files) >= 10, f"the stack is not up: {pid_files}"
    seen = {}
    for pid_file in pid_files:
        pid = int(pid_file.read_text().strip())
        for process in descendants(pid):
            for inode in socket_inodes(process) & sockets.keys():
                seen[(pid_file.stem, sockets[inode][1])] = sockets[inode][0]
    # Every server has at least one listening socket, and none is beyond the loopback.
    cluster = os.environ.get("USERSTREAM_NODES") == "3"
    stores = {"kafka-1", "kafka-2", "kafka-3", "cassandra-1", "cassandra-2", "cassandra-3"} if cluster \
        else {"kafka", "cassandra"}
    assert {name for name, _ in seen} >= {"postgres", *stores, "spark-master", "spark-worker",
                                         "flink-jobmanager", "flink-taskmanager", "emulator", "registry", "console", "airflow-api-server"}
    allowed = LOOPBACK | CLUSTER_NODES if cluster else LOOPBACK
    exposed = {f"{name}:{port}": address for (name, port), address in seen.items() if address not in allowed}
    assert exposed == {}, f"listening beyond 127.0.0.1: {exposed}"
