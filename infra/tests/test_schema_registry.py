"""The project's schema registry against a real third-party client: confluent-kafka's SchemaRegistryClient.

Each test works on subjects of its own on the stack's registry; the restart test starts registries
of its own (the bundled jar) on a topic of its own.
"""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from confluent_kafka.admin import AdminClient, ConfigResource
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.error import SchemaRegistryError

pytestmark = pytest.mark.stack

REPO = Path(__file__).resolve().parents[2]
USERS_SCHEMA = (REPO / "infra" / "schemas" / "users.raw-value.json").read_text()
REGISTRY_JAR = REPO / "infra" / "registry" / "target" / "userstream-registry-bundled.jar"


def json_schema(document: dict | str) -> Schema:
    return Schema(document if isinstance(document, str) else json.dumps(document), "JSON")


def users_schema_with(change) -> Schema:
    document = json.loads(USERS_SCHEMA)
    change(document)
    return json_schema(document)


@pytest.fixture
def client(registry_url):
    return SchemaRegistryClient({"url": registry_url})


@pytest.fixture
def subject():
    return f"it-{uuid.uuid4().hex[:8]}-value"


def refused(call) -> SchemaRegistryError:
    with pytest.raises(SchemaRegistryError) as caught:
        call()
    return caught.value


def test_registers_looks_up_and_fetches_by_id(client, subject, registry_url):
    schema_id = client.register_schema(subject, json_schema(USERS_SCHEMA))
    # Registering the same schema again (a fresh client: no cache) returns the same id, no new version.
    again = SchemaRegistryClient({"url": registry_url})
    assert again.register_schema(subject, json_schema(USERS_SCHEMA)) == schema_id
    assert client.get_versions(subject) == [1]

    latest = again.get_latest_version(subject)
    assert (latest.subject, latest.version, latest.schema_id) == (subject, 1, schema_id)
    assert latest.schema.schema_type == "JSON"
    assert json.loads(latest.schema.schema_str) == json.loads(USERS_SCHEMA)

    fetched = again.get_schema(schema_id)
    assert json.loads(fetched.schema_str) == json.loads(USERS_SCHEMA)
    assert fetched.schema_type == "JSON"

    found = again.lookup_schema(subject, json_schema(USERS_SCHEMA))
    assert (found.version, found.schema_id) == (1, schema_id)
    assert subject in again.get_subjects()


def test_backward_compatibility_admits_a_widening_and_refuses_a_new_required_field_with_409(client, subject):
    client.register_schema(subject, json_schema(USERS_SCHEMA))
    assert client.get_compatibility() == "BACKWARD"

    widened = users_schema_with(lambda d: d["properties"]["gender"].update(type=["string", "null"]))
    assert client.test_compatibility(subject, widened) is True
    client.register_schema(subject, widened)
    assert client.get_versions(subject) == [1, 2]

    email_required = users_schema_with(lambda d: d["required"].append("email"))
    assert client.test_compatibility(subject, email_required) is False
    error = refused(lambda: client.register_schema(subject, email_required))
    assert (error.http_status_code, error.error_code) == (409, 409)
    assert "property 'email' became required" in error.error_message
    assert client.get_versions(subject) == [1, 2]

    # With compatibility NONE for this subject only, the same change is accepted.
    client.set_compatibility(subject, "NONE")
    assert client.get_compatibility(subject) == "NONE"
    client.register_schema(subject, email_required)
    assert client.get_versions(subject) == [1, 2, 3]
    assert client.get_compatibility() == "BACKWARD"


def test_refusals_carry_confluents_codes(client, subject):
    client.register_schema(subject, json_schema(USERS_SCHEMA))
    cases = {
        "not JSON": (lambda: client.register_schema(subject, json_schema("{not json")), 422, 42201),
        "not a JSON Schema": (lambda: client.register_schema(subject, json_schema({"type": 12})), 422, 42201),
        "unknown subject": (lambda: client.get_latest_version(subject + "-nope"), 404, 40401),
        "unknown version": (lambda: client.get_version(subject, 9), 404, 40402),
        "unknown id": (lambda: client.get_schema(987654), 404, 40403),
        "schema not under subject": (lambda: client.lookup_schema(subject, json_schema({"type": "string"})), 404,
                                     40403),
        "bad level": (lambda: client.set_compatibility(subject, "SIDEWAYS"), 422, 42203),
    }
    for name, (call, status, code) in cases.items():
        error = refused(call)
        assert (error.http_status_code, error.error_code) == (status, code), name


def test_deleting_a_subject_is_soft_first_then_permanent(client, subject):
    client.register_schema(subject, json_schema(USERS_SCHEMA))
    error = refused(lambda: client.delete_subject(subject, permanent=True))
    assert error.error_code == 40405
    assert client.delete_subject(subject) == [1]
    assert subject not in client.get_subjects()
    assert client.delete_subject(subject, permanent=True) == [1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_registry(kafka: str, topic: str, port: int, log: Path) -> subprocess.Popen:
    # A fresh log per start: a line left by an earlier start must not pass for this one's.
    assert not log.exists(), log
    proc = subprocess.Popen(["java", "-jar", str(REGISTRY_JAR), f"--port={port}", f"--kafkaBootstrapServers={kafka}",
                             f"--topic={topic}"], stdout=open(log, "wb"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while "schema registry listening" not in log.read_text():
        assert proc.poll() is None, log.read_text()
        assert time.monotonic() < deadline, "the registry did not start within 60 s:\n" + log.read_text()
        time.sleep(0.2)
    return proc


def stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)


def test_schemas_live_in_a_compacted_topic_and_survive_a_restart(kafka, tmp_path):
    topic = f"_schemas_it_{uuid.uuid4().hex[:8]}"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    first = start_registry(kafka, topic, port, tmp_path / "registry-first.log")
    try:
        client = SchemaRegistryClient({"url": url})
        users_id = client.register_schema("users.raw-value", json_schema(USERS_SCHEMA))
        other_id = client.register_schema("other-value", json_schema({"type": "string"}))
        client.set_compatibility("other-value", "FULL")
    finally:
        stop(first)

    second = start_registry(kafka, topic, port, tmp_path / "registry-second.log")
    try:
        client = SchemaRegistryClient({"url": url})
        assert sorted(client.get_subjects()) == ["other-value", "users.raw-value"]
        assert client.get_latest_version("users.raw-value").schema_id == users_id
        assert json.loads(client.get_schema(users_id).schema_str) == json.loads(USERS_SCHEMA)
        assert client.get_compatibility("other-value") == "FULL"
        # Ids go on from where they were.
        assert client.register_schema("third-value", json_schema({"type": "number"})) == max(users_id, other_id) + 1
    finally:
        stop(second)

    admin = AdminClient({"bootstrap.servers": kafka})
    resource = ConfigResource(ConfigResource.Type.TOPIC, topic)
    configs = admin.describe_configs([resource])[resource].result(timeout=30)
    assert configs["cleanup.policy"].value == "compact"
    admin.delete_topics([topic])
