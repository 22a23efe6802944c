"""What the userstream DAGs need to know, as Jinja templates resolved when a task runs.

No host, port or password lives in DAG code: they come from Airflow Connections and Variables.

Connections
  userstream_postgres  host, port, login, schema (the database); extra {"password_file": "..."}
                       (IngestPipeline reads the password from that file, never from its command line)
  userstream_kafka     host, port
  userstream_cassandra host, port
  userstream_schema_registry host, port (a Confluent-compatible schema registry, over HTTP)
  userstream_profiles_api host, port (the profiles read API, infra/profiles-api, over HTTP)
Variables (with defaults)
  userstream_jar                    path of runners/spark/target/userstream-spark-bundled.jar (required)
  userstream_runner                 SparkRunner | FlinkRunner | DirectRunner (SparkRunner)
  userstream_spark_master           local[2] | spark://host:port (local[2])
  userstream_flink_jar              path of runners/flink/target/userstream-flink-bundled.jar (for FlinkRunner)
  userstream_flink_master           [local] | host:port, a Flink cluster's REST endpoint ([local])
  userstream_api_url                https://randomuser.me/api/
  userstream_ingest_pages           1
  userstream_ingest_results_per_page 5000
  userstream_staging_table          staging.raw_users
  userstream_output_topic           users.raw
  userstream_checkpoint_dir         /tmp/userstream-checkpoints
  userstream_consumer_group         userstream-stream (the streaming job's group)
  userstream_dead_letter_topic      users.dlq
  userstream_cassandra_keyspace     userstream
  userstream_max_consumer_lag       100000
  userstream_max_recent_dead_letters 100 (in the last hour)
"""

from __future__ import annotations

RUNNER = "{{ var.value.get('userstream_runner', 'SparkRunner') }}"
KAFKA = "{{ conn.userstream_kafka.host }}:{{ conn.userstream_kafka.port }}"
OUTPUT_TOPIC = "{{ var.value.get('userstream_output_topic', 'users.raw') }}"
DEAD_LETTER_TOPIC = "{{ var.value.get('userstream_dead_letter_topic', 'users.dlq') }}"
CONSUMER_GROUP = "{{ var.value.get('userstream_consumer_group', 'userstream-stream') }}"
CASSANDRA = "{{ conn.userstream_cassandra.host }}:{{ conn.userstream_cassandra.port }}"
SCHEMA_REGISTRY = "http://{{ conn.userstream_schema_registry.host }}:{{ conn.userstream_schema_registry.port }}"
CASSANDRA_KEYSPACE = "{{ var.value.get('userstream_cassandra_keyspace', 'userstream') }}"

# Runs triggered without a logical date (Airflow 3 allows it; `logical_date` is then undefined in
# templates) take the run's own time instead.
RUN_TIME = "(dag_run.logical_date or dag_run.run_after)"

INGEST_OPTIONS = {
    "apiUrl": "{{ var.value.get('userstream_api_url', 'https://randomuser.me/api/') }}",
    "seed": "userstream-{{ " + RUN_TIME + ".strftime('%Y%m%dT%H%M%S') }}",
    "pages": "{{ var.value.get('userstream_ingest_pages', '1') }}",
    "resultsPerPage": "{{ var.value.get('userstream_ingest_results_per_page', '5000') }}",
    "postgresUrl": "jdbc:postgresql://{{ conn.userstream_postgres.host }}:{{ conn.userstream_postgres.port }}"
    "/{{ conn.userstream_postgres.schema }}",
    "postgresUser": "{{ conn.userstream_postgres.login }}",
    "postgresPasswordFile": "{{ conn.userstream_postgres.extra_dejson.password_file }}",
    "stagingTable": "{{ var.value.get('userstream_staging_table', 'staging.raw_users') }}",
    "kafkaBootstrapServers": KAFKA,
    "outputTopic": OUTPUT_TOPIC,
    "schemaRegistryUrl": SCHEMA_REGISTRY,
}

# The streaming job's options on every runner; runner_job() adds those of the runner.
STREAM_OPTIONS = {
    "kafkaBootstrapServers": KAFKA,
    "inputTopic": OUTPUT_TOPIC,
    "consumerGroup": CONSUMER_GROUP,
    "deadLetterTopic": DEAD_LETTER_TOPIC,
    "cassandraHosts": CASSANDRA,
    "cassandraKeyspace": CASSANDRA_KEYSPACE,
    "schemaRegistryUrl": SCHEMA_REGISTRY,
}

RUNNERS = ("SparkRunner", "FlinkRunner", "DirectRunner")
INGEST_MAIN = "dev.userstream.ingest.IngestPipeline"


def runner_job(pipeline: str) -> dict:
    """How `pipeline` ("ingest" or "stream") runs on the Variable userstream_runner's runner: the Variable
    naming its jar, its main class there (the streaming mains stop the job cleanly on SIGTERM) and the
    options only that runner knows (another runner's jar refuses them)."""
    from airflow.sdk import Variable

    runner = Variable.get("userstream_runner", default="SparkRunner")
    if runner == "FlinkRunner":
        main = {"stream": "dev.userstream.flink.FlinkStreamPipeline", "ingest": INGEST_MAIN}[pipeline]
        return {"jar_variable": "userstream_flink_jar", "job_class": main,
                "options": {"flinkMaster": Variable.get("userstream_flink_master", default="[local]")}}
    if runner not in RUNNERS:
        raise RuntimeError(f"Variable userstream_runner is {runner!r}; the pipelines run on " + ", ".join(RUNNERS))
    options = {"sparkMaster": Variable.get("userstream_spark_master", default="local[2]")}
    if pipeline == "ingest":
        return {"jar_variable": "userstream_jar", "job_class": INGEST_MAIN, "options": options}
    checkpoints = Variable.get("userstream_checkpoint_dir", default="/tmp/userstream-checkpoints")
    options["checkpointDir"] = f"{checkpoints}/stream"
    if runner == "DirectRunner":
        # Else the DirectRunner's run() blocks for good, before the main can handle SIGTERM.
        options["blockOnRun"] = "false"
    return {"jar_variable": "userstream_jar", "job_class": "dev.userstream.spark.SparkStreamPipeline",
            "options": options}


# Runs the jar's Report tool; exit status 2 names each threshold crossed.
HEALTH_COMMAND = (
    "java -cp {{ var.value.userstream_jar }} dev.userstream.tools.Report"
    " --kafkaBootstrapServers=" + KAFKA
    + " --inputTopic=" + OUTPUT_TOPIC
    + " --deadLetterTopic=" + DEAD_LETTER_TOPIC
    + " --consumerGroup=" + CONSUMER_GROUP
    + " --cassandraHosts=" + CASSANDRA
    + " --cassandraKeyspace=" + CASSANDRA_KEYSPACE
    + " --maxLag={{ var.value.get('userstream_max_consumer_lag', '100000') }}"
    " --maxRecentDeadLetters={{ var.value.get('userstream_max_recent_dead_letters', '100') }}"
    " --windowMinutes=60"
)


def _reachable(what: str, conn_id: str) -> None:
    from airflow.sdk import BaseHook

    conn = BaseHook.get_connection(conn_id)
    _reach(f"{what} at {conn.host}:{conn.port} (connection {conn_id})", conn.host, conn.port)


def _reach(what: str, host: str, port) -> None:
    import socket

    try:
        with socket.create_connection((host, int(port)), timeout=3):
            pass
    except (OSError, ValueError) as e:
        raise RuntimeError(f"{what} is unreachable: {e}") from None


def _common(jar_variable: str = "userstream_jar") -> str:
    """Java is there and the jar the Variable names exists; returns that jar."""
    import os
    import shutil

    from airflow.sdk import Variable

    if not shutil.which("java"):
        raise RuntimeError("java is not on the PATH of the Airflow worker (Java 17 is needed)")
    jar = Variable.get(jar_variable, default=None)
    if not jar:
        raise RuntimeError(f"Variable {jar_variable} is not set (the path of the runner's bundled jar)")
    if not os.path.isfile(jar):
        raise RuntimeError(f"jar {jar} (Variable {jar_variable}) does not exist: build it with make build")
    return jar


def _runner_job(pipeline: str) -> dict:
    """runner_job(pipeline) with its jar checked and named, for the Beam task."""
    job = runner_job(pipeline)
    job["jar"] = _common(job.pop("jar_variable"))
    master = job["options"].get("flinkMaster", "[local]")
    if not master.startswith("["):
        host, _, port = master.rpartition(":")
        _reach(f"The Flink cluster (Variable userstream_flink_master) at {master}", host, port)
    return job


def preflight_ingest() -> dict:
    """Checks what the ingestion needs; returns how it runs (runner_job), for the Beam task."""
    import os

    from airflow.sdk import BaseHook

    job = _runner_job("ingest")
    _reachable("PostgreSQL", "userstream_postgres")
    _reachable("Kafka", "userstream_kafka")
    _reachable("The schema registry", "userstream_schema_registry")
    password_file = BaseHook.get_connection("userstream_postgres").extra_dejson.get("password_file")
    if not password_file or not os.access(password_file, os.R_OK):
        raise RuntimeError(
            f"PostgreSQL password file {password_file!r} (extra password_file of connection "
            "userstream_postgres) is missing or unreadable"
        )
    return job


def preflight_stream() -> dict:
    """Checks what the streaming job needs; returns how it runs (runner_job), for the Beam task."""
    job = _runner_job("stream")
    _reachable("Kafka", "userstream_kafka")
    _reachable("Cassandra", "userstream_cassandra")
    _reachable("The schema registry", "userstream_schema_registry")
    return job


def check_profiles_api() -> None:
    """The profiles API answers: its /health (it reads Cassandra) and a look-up, each within 10 s."""
    import json
    import time
    import urllib.error
    import urllib.request

    from airflow.sdk import BaseHook

    conn = BaseHook.get_connection("userstream_profiles_api")
    base = f"http://{conn.host}:{conn.port}"
    for path in ["/health", "/profiles?nat=GB&limit=1"]:
        started = time.monotonic()
        try:
            with urllib.request.urlopen(base + path, timeout=10) as response:
                body = json.load(response)
        except urllib.error.HTTPError as e:
            raise RuntimeError(f"CHECK FAILED: the profiles API at {base} answered {path} with HTTP {e.code}: "
                               f"{e.read()[:300].decode(errors='replace')}") from None
        except (OSError, ValueError) as e:
            raise RuntimeError(f"CHECK FAILED: the profiles API at {base} (connection userstream_profiles_api) "
                               f"did not answer {path}: {e}") from None
        print(f"CHECK OK: profiles API {path} answered in {1000 * (time.monotonic() - started):.0f} ms: "
              f"{json.dumps(body)[:120]}")
