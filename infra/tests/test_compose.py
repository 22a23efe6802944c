"""docker-compose.yml, parsed and validated by a real Compose implementation (no Docker engine needed).

Debian's docker-compose (1.29) runs `config` without an engine: it checks the file against the
Compose schema, resolves variables, paths and profiles, and fails on anything it cannot use.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO / "docker-compose.yml"


CLUSTER = ["--env-file", str(REPO / "infra" / "compose" / "cluster.env"), "--profile", "cluster"]


def compose(*args: str) -> str:
    exe = shutil.which("docker-compose")
    assert exe, "validating docker-compose.yml needs a Compose implementation: apt-get install docker-compose"
    out = subprocess.run([exe, "-f", str(COMPOSE_FILE), *args], capture_output=True, text=True, cwd=REPO)
    assert out.returncode == 0, f"docker-compose {' '.join(args)} failed:\n{out.stderr}"
    return out.stdout


def documented_services() -> set[str]:
    """The services docs/DOCKER.md lists, one table row each: | `name` | ... or | `a`, `b` | ..."""
    doc = (REPO / "docs" / "DOCKER.md").read_text()
    names = set()
    for cell in re.findall(r"^\| (`[a-z0-9-]+`(?:, `[a-z0-9-]+`)*) \|", doc, flags=re.MULTILINE):
        names.update(re.findall(r"`([a-z0-9-]+)`", cell))
    return names


def test_the_compose_file_is_valid():
    compose("config", "--quiet")


def test_every_service_the_docs_name_is_defined_and_every_defined_one_is_named():
    defined = set(compose("config", "--services").split())
    named = documented_services()
    assert named, "docs/DOCKER.md lists no services"
    assert named - defined == set(), "named in docs/DOCKER.md but not in docker-compose.yml"
    assert defined - named == set(), "in docker-compose.yml but not in docs/DOCKER.md"


def test_data_lives_in_named_volumes():
    assert {"postgres-data", "kafka-data", "cassandra-data"} <= set(compose("config", "--volumes").split())


def test_long_running_services_have_health_checks_and_use_official_or_project_images():
    import yaml

    config = yaml.safe_load(compose("config"))
    one_shot = {name for name, s in config["services"].items()
                if s.get("restart") == "no" or "job" in s.get("profiles", [])}
    assert one_shot == {"kafka-topics", "cassandra-schema", "registry-schemas", "ingest-job", "stream-job",
                        "flink-stream-job"}
    for name, service in config["services"].items():
        if name not in one_shot:
            assert "healthcheck" in service, f"{name} has no health check"
        image = service["image"]
        official = image.split(":")[0] in {"postgres", "cassandra", "eclipse-temurin", "python", "flink"} \
            or image.startswith(("apache/kafka:", "apache/spark:"))
        assert official or (name == "airflow" and "build" in service), f"{name} uses {image}"
    # Every server binds to the host's loopback only.
    for name, service in config["services"].items():
        for port in service.get("ports", []):
            host_ip = port.get("host_ip", "") if isinstance(port, dict) else port.split(":")[0]
            assert host_ip == "127.0.0.1", f"{name} publishes {port} beyond 127.0.0.1"


def test_the_cluster_profile_runs_three_brokers_and_three_cassandra_nodes_replicated_three_times():
    import yaml

    single = yaml.safe_load(compose("config"))["services"]
    cluster = yaml.safe_load(compose(*CLUSTER, "config"))["services"]
    assert {"kafka-2", "kafka-3", "cassandra-2", "cassandra-3"} <= set(cluster)
    for name in ["kafka", "kafka-2", "kafka-3"]:
        env = cluster[name]["environment"]
        assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"] == "1@kafka:9093,2@kafka-2:9093,3@kafka-3:9093", name
        for key in ["KAFKA_DEFAULT_REPLICATION_FACTOR", "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR",
                    "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR"]:
            assert str(env[key]) == "3", (name, key)
        assert str(env["KAFKA_MIN_INSYNC_REPLICAS"]) == "2" and str(env["KAFKA_TRANSACTION_STATE_LOG_MIN_ISR"]) == "2"
    # Every node has its own node id and state.
    assert len({cluster[n]["environment"]["KAFKA_NODE_ID"] for n in ["kafka", "kafka-2", "kafka-3"]}) == 3
    volumes = [v["source"] if isinstance(v, dict) else v.split(":")[0]
               for n in ["kafka", "kafka-2", "kafka-3", "cassandra", "cassandra-2", "cassandra-3"]
               for v in cluster[n]["volumes"]]
    assert len(set(volumes)) == 6, volumes
    for name in ["cassandra", "cassandra-2", "cassandra-3"]:
        assert cluster[name]["environment"]["CASSANDRA_SEEDS"] == "cassandra,cassandra-2,cassandra-3"
    assert str(cluster["cassandra-schema"]["environment"]["CASSANDRA_RF"]) == "3"
    # Every job and server of Compose is given all three brokers and all three nodes.
    for name in ["console", "profiles-api", "stream-job", "flink-stream-job", "registry"]:
        args = " ".join(cluster[name].get("command") or [])
        if "--kafkaBootstrapServers" in args:
            assert "--kafkaBootstrapServers=kafka:9092,kafka-2:9092,kafka-3:9092" in args, name
        if "--cassandraHosts" in args:
            assert "--cassandraHosts=cassandra:9042,cassandra-2:9042,cassandra-3:9042" in args, name
    # Without the file: one broker, one node, one replica.
    assert single["kafka"]["environment"]["KAFKA_CONTROLLER_QUORUM_VOTERS"] == "1@kafka:9093"
    assert str(single["kafka"]["environment"]["KAFKA_DEFAULT_REPLICATION_FACTOR"]) == "1"
    assert str(single["cassandra-schema"]["environment"]["CASSANDRA_RF"]) == "1"
    assert "--cassandraHosts=cassandra:9042" in " ".join(single["console"]["command"])
