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


def compose(*args: str) -> str:
    exe = shutil.which("docker-compose")
    assert exe, "validating docker-compose.yml needs a Compose implementation: apt-get install docker-compose"
    out = subprocess.run([exe, "-f", str(COMPOSE_FILE), *args], capture_output=True, text=True, cwd=REPO)
    assert out.returncode == 0, f"docker-compose {' '.join(args)} failed:\n{out.stderr}"
    return out.stdout


def documented_services() -> set[str]:
    """The services docs/DOCKER.md lists, one table row each: | `name` | ..."""
    doc = (REPO / "docs" / "DOCKER.md").read_text()
    return set(re.findall(r"^\| `([a-z0-9-]+)` \|", doc, flags=re.MULTILINE))


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
