"""infra/stack.py's node count (USERSTREAM_NODES): one Kafka broker and one Cassandra node, or
three of each, with the ports, addresses, replication and configuration that go with it. No server
is started: the stack's module is loaded against an empty state directory of the test's own.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def stack(tmp_path, monkeypatch):
    """A fresh copy of infra/stack.py whose state directory is empty (nothing runs)."""
    monkeypatch.setenv("USERSTREAM_HOME", str(tmp_path))
    monkeypatch.delenv("USERSTREAM_NODES", raising=False)
    (tmp_path / "run").mkdir()
    spec = importlib.util.spec_from_file_location("stack_under_test", REPO / "infra" / "stack.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["stack_under_test"] = module
    spec.loader.exec_module(module)
    yield module
    del sys.modules["stack_under_test"]


def test_one_node_of_each_by_default(stack):
    assert stack.nodes() == 1
    assert stack.node_names("kafka") == ["kafka"] and stack.node_names("cassandra") == ["cassandra"]
    assert stack.kafka_bootstrap() == "127.0.0.1:19092"
    assert stack.cassandra_contact_points() == "127.0.0.1:19042"
    assert stack.cassandra_replication() == "{'class': 'SimpleStrategy', 'replication_factor': 1}"
    assert "kafka-1" not in stack.processes() and "cassandra" in stack.processes()


def test_three_of_each_with_their_own_ports_and_addresses(stack, monkeypatch):
    monkeypatch.setenv("USERSTREAM_NODES", "3")
    assert stack.node_names("kafka") == ["kafka-1", "kafka-2", "kafka-3"]
    assert stack.kafka_bootstrap() == "127.0.0.1:19092,127.0.0.1:19094,127.0.0.1:19096"
    assert [stack.kafka_ports(i)[1] for i in range(3)] == [19093, 19095, 19097]
    # A Cassandra cluster shares one storage port: each node gets a loopback address of its own.
    assert stack.cassandra_contact_points() == "127.0.0.2:19042,127.0.0.3:19042,127.0.0.4:19042"
    assert [stack.cassandra_jmx_port(i) for i in range(3)] == [17199, 17200, 17201]
    assert stack.cassandra_replication() == "{'class': 'NetworkTopologyStrategy', 'datacenter1': 3}"
    assert stack.replication_factor() == 3
    # Every port a node needs is checked before anything starts, at that node's address.
    ports = {(address, number) for _, address, number, _ in stack.node_ports("cassandra")}
    assert ("127.0.0.4", 17000) in ports and ("127.0.0.1", 17201) in ports
    assert {p for p in stack.processes() if p.startswith(("kafka", "cassandra"))} == {
        "kafka-1", "kafka-2", "kafka-3", "cassandra-1", "cassandra-2", "cassandra-3"}
    env = stack.endpoints()
    assert env["USERSTREAM_NODES"] == "3" and env["USERSTREAM_KAFKA"] == stack.kafka_bootstrap()


def test_a_node_count_other_than_one_or_three_is_refused(stack, monkeypatch):
    monkeypatch.setenv("USERSTREAM_NODES", "2")
    with pytest.raises(stack.StackError, match="must be 1 or 3"):
        stack.nodes()


def test_the_mode_of_a_running_stack_wins_over_an_unset_variable_and_a_conflicting_one_is_refused(stack, monkeypatch):
    # Broker 2 of a cluster stack runs (this test's own process stands in for it).
    monkeypatch.setattr(stack, "running_pid", lambda name: os.getpid() if name == "kafka-2" else None)
    assert stack.nodes() == 3
    monkeypatch.setenv("USERSTREAM_NODES", "1")
    with pytest.raises(stack.StackError, match="a stack of 3 node"):
        stack.nodes()


def test_the_kafka_and_cassandra_configuration_of_a_cluster_node(stack, monkeypatch):
    monkeypatch.setenv("USERSTREAM_NODES", "3")
    kafka = stack.template(
        "kafka-server.properties", node_id=2, voters="1@127.0.0.1:19093,2@127.0.0.1:19095,3@127.0.0.1:19097",
        host="127.0.0.1", port=19094, controller_port=19095, data="/d", partitions=3, replication_factor=3,
        min_insync_replicas=2, max_message_bytes=1)
    for line in ["node.id=2", "controller.quorum.voters=1@127.0.0.1:19093,2@127.0.0.1:19095,3@127.0.0.1:19097",
                 "default.replication.factor=3", "min.insync.replicas=2", "offsets.topic.replication.factor=3",
                 "transaction.state.log.min.isr=2"]:
        assert line in kafka.splitlines(), line
    cassandra = stack.template("cassandra.yaml", host="127.0.0.3", seeds="127.0.0.2:17000,127.0.0.3:17000",
                               storage_port=17000, cql_port=19042, home="/h")
    assert 'seeds: "127.0.0.2:17000,127.0.0.3:17000"' in cassandra
    assert "listen_address: 127.0.0.3" in cassandra.splitlines()
