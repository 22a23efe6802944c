"""Real runs of userstream_ingest against the local stack (make it runs these under infra/stack.py with).

The DAG runs in-process with dag.test(); its BeamRunJavaPipelineOperator starts IngestPipeline from
the bundled Spark jar on the Spark runner (local[2]). Each test has its own staging table, topic,
keyspace and consumer group, handed to the DAG through Airflow Variables in the environment.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

pytestmark = pytest.mark.stack

DAGS = Path(__file__).resolve().parents[1] / "dags"
LOGICAL_DATE = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
PAGES, RESULTS = 2, 500


BENCH_JAR = Path(__file__).resolve().parents[2] / "infra" / "bench" / "target" / "userstream-bench.jar"


def java(*args: str, timeout: int = 300) -> str:
    """A tool of the jar the DAGs run, or of infra/bench's (the sample producer), which runs beside it."""
    out = subprocess.run(["java", "-cp", os.environ["AIRFLOW_VAR_USERSTREAM_JAR"] + os.pathsep + str(BENCH_JAR), *args],
                         capture_output=True, text=True, timeout=timeout)
    assert out.returncode == 0, f"{args[0]} failed:\n{out.stdout}\n{out.stderr}"
    return out.stdout + out.stderr


def psql(sql: str) -> str:
    conn = json.loads(os.environ["AIRFLOW_CONN_USERSTREAM_POSTGRES"])
    env = dict(os.environ, PGPASSWORD=Path(conn["extra"]["password_file"]).read_text().strip())
    out = subprocess.run(["psql", "-h", conn["host"], "-p", str(conn["port"]), "-U", conn["login"], "-d",
                          conn["schema"], "-qAt", "-v", "ON_ERROR_STOP=1", "-c", sql],
                         capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def endpoint(conn_id: str) -> str:
    conn = json.loads(os.environ[f"AIRFLOW_CONN_{conn_id.upper()}"])
    return f"{conn['host']}:{conn['port']}"


def dead_letters_in(topic: str, isolated: dict) -> int:
    """Committed dead letters, as Report counts them (the job writes them in transactions)."""
    report = java("dev.userstream.tools.Report", f"--kafkaBootstrapServers={endpoint('userstream_kafka')}",
                  f"--inputTopic={isolated['topic']}", f"--deadLetterTopic={topic}",
                  f"--cassandraHosts={endpoint('userstream_cassandra')}", f"--cassandraKeyspace={isolated['keyspace']}")
    return int(re.search(rf"dead letters in {re.escape(topic)}:\s+(\d+)", report).group(1))


def records_in(topic: str) -> int:
    report = java("dev.userstream.tools.Report", f"--kafkaBootstrapServers={endpoint('userstream_kafka')}",
                  f"--inputTopic={topic}", f"--cassandraHosts={endpoint('userstream_cassandra')}")
    return int(re.search(rf"records in {re.escape(topic)}:\s+(\d+)", report).group(1))


@pytest.fixture
def isolated(monkeypatch):
    run = uuid.uuid4().hex[:8]
    names = {"table": f"staging.af_{run}", "topic": f"af-{run}-raw", "keyspace": f"af_{run}", "group": f"af-{run}",
             "dlq": f"af-{run}-dlq"}
    psql(f"CREATE TABLE {names['table']} (LIKE staging.raw_users INCLUDING ALL)")
    stack = subprocess.run(["python3", str(DAGS.parents[1] / "infra" / "stack.py"), "topics", names["topic"],
                            names["dlq"]],
                           capture_output=True, text=True)
    assert stack.returncode == 0, stack.stdout + stack.stderr
    monkeypatch.setenv("AIRFLOW_VAR_USERSTREAM_STAGING_TABLE", names["table"])
    monkeypatch.setenv("AIRFLOW_VAR_USERSTREAM_OUTPUT_TOPIC", names["topic"])
    monkeypatch.setenv("AIRFLOW_VAR_USERSTREAM_INGEST_PAGES", str(PAGES))
    monkeypatch.setenv("AIRFLOW_VAR_USERSTREAM_INGEST_RESULTS_PER_PAGE", str(RESULTS))
    monkeypatch.setenv("AIRFLOW_VAR_USERSTREAM_RUNNER", "SparkRunner")
    monkeypatch.setenv("AIRFLOW_VAR_USERSTREAM_SPARK_MASTER", "local[2]")
    yield names
    psql(f"DROP TABLE IF EXISTS {names['table']}")


def output(capfd) -> str:
    """What the run printed (Airflow logs through structlog to the console, with the job's lines)."""
    out, err = capfd.readouterr()
    return out + err


def ingest_dag():
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(DAGS))
    assert bag.import_errors == {}
    return bag.dags["userstream_ingest"]


# Runs userstream_stream to its end in a process of its own (the task blocks while the job runs);
# exit status 0 when the DAG run ends as success.
STREAM_DAG_RUN = (
    "import sys; from datetime import datetime; from airflow.dag_processing.dagbag import DagBag; "
    "dag = DagBag(dag_folder=sys.argv[1]).dags['userstream_stream']; "
    "run = dag.test(logical_date=datetime.fromisoformat(sys.argv[2])); "
    "sys.exit(0 if run.state == 'success' else 1)"
)


def start_stream_dag(isolated, tmp_path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(DAGS),
               AIRFLOW_VAR_USERSTREAM_CONSUMER_GROUP=isolated["group"],
               AIRFLOW_VAR_USERSTREAM_CASSANDRA_KEYSPACE=isolated["keyspace"],
               AIRFLOW_VAR_USERSTREAM_DEAD_LETTER_TOPIC=isolated["dlq"],
               AIRFLOW_VAR_USERSTREAM_CHECKPOINT_DIR=str(tmp_path / "checkpoints"))
    return subprocess.Popen([sys.executable, "-c", STREAM_DAG_RUN, str(DAGS), LOGICAL_DATE.isoformat()],
                            env=env, stdout=open(tmp_path / "stream-dag.log", "wb"), stderr=subprocess.STDOUT)


def stop_stream_job(isolated) -> None:
    """What userstream_stream documents: SIGTERM to the job's JVM (this test's, by its consumer group)."""
    import psutil

    mains = {"dev.userstream.spark.SparkStreamPipeline", "dev.userstream.flink.FlinkStreamPipeline"}
    jobs = [p for p in psutil.process_iter(["cmdline"])
            if mains & set(p.info["cmdline"] or [])
            and f"--consumerGroup={isolated['group']}" in p.info["cmdline"]]
    for job in jobs:
        job.send_signal(signal.SIGTERM)


def test_a_run_lands_every_user_in_kafka_and_cassandra_and_a_rerun_adds_nothing(isolated, tmp_path):
    run = ingest_dag().test(logical_date=LOGICAL_DATE)
    assert run.state == "success"
    assert records_in(isolated["topic"]) == PAGES * RESULTS
    users = PAGES * RESULTS
    assert psql(f"SELECT count(*), count(published_at) FROM {isolated['table']}") == f"{users}|{users}"
    # The seed comes from the logical date.
    assert psql(f"SELECT DISTINCT seed FROM {isolated['table']}") == "userstream-20261124T100000"

    # Through the streaming job into Cassandra: userstream_stream, stopped the documented way.
    java("dev.userstream.tools.ApplySchema", f"--cassandraHosts={endpoint('userstream_cassandra')}",
         f"--cassandraKeyspace={isolated['keyspace']}",
         "--replication={'class': 'SimpleStrategy', 'replication_factor': 1}")
    stream = start_stream_dag(isolated, tmp_path)
    try:
        java("dev.userstream.tools.Report", f"--kafkaBootstrapServers={endpoint('userstream_kafka')}",
             f"--inputTopic={isolated['topic']}", f"--consumerGroup={isolated['group']}",
             f"--cassandraHosts={endpoint('userstream_cassandra')}", f"--cassandraKeyspace={isolated['keyspace']}",
             f"--expectRows={users}", "--timeoutSeconds=240", "--report=false")
    finally:
        stop_stream_job(isolated)
    exit_status = stream.wait(timeout=150)
    printed = (tmp_path / "stream-dag.log").read_text()
    assert exit_status == 0, f"userstream_stream did not end as success:\n{printed[-5000:]}"
    assert "Stopped cleanly" in printed

    # The same logical date again: same seed, same users, nothing new staged or published.
    again = ingest_dag().test(logical_date=LOGICAL_DATE)
    assert again.state == "success"
    assert records_in(isolated["topic"]) == PAGES * RESULTS
    assert psql(f"SELECT count(*) FROM {isolated['table']}") == str(PAGES * RESULTS)


def test_a_failing_pipeline_fails_the_task(isolated, monkeypatch, capfd):
    monkeypatch.setenv("AIRFLOW_VAR_USERSTREAM_STAGING_TABLE", "not a table name")
    dag = ingest_dag()
    dag.get_task("ingest_users").retries = 0  # dag.test() would wait out the real retry delays
    run = dag.test(logical_date=datetime(2026, 11, 24, 11, 0, tzinfo=UTC))
    assert run.state == "failed"
    states = {ti.task_id: ti.state for ti in run.get_task_instances()}
    assert states == {"preflight": "success", "ingest_users": "failed"}
    # The task's error is the job's own reason, not only its exit status.
    assert ("AirflowException: Ingestion failed: stagingTable must be a plain name like staging.raw_users, "
            "was not a table name (Apache Beam process failed with return code 1)") in output(capfd)


def test_a_missing_jar_fails_the_preflight_naming_it(isolated, monkeypatch, capfd):
    monkeypatch.setenv("AIRFLOW_VAR_USERSTREAM_JAR", "/nonexistent/userstream-spark-bundled.jar")
    run = ingest_dag().test(logical_date=datetime(2026, 11, 24, 12, 0, tzinfo=UTC))
    assert run.state == "failed"
    states = {ti.task_id: ti.state for ti in run.get_task_instances()}
    assert states["preflight"] == "failed"
    assert "jar /nonexistent/userstream-spark-bundled.jar (Variable userstream_jar) does not exist" in output(capfd)


def health_dag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS)).dags["userstream_health"]


def test_the_health_check_fails_naming_each_threshold_crossed(isolated, monkeypatch, capfd):
    java("dev.userstream.bench.ProduceSampleUsers", f"--kafkaBootstrapServers={endpoint('userstream_kafka')}",
         f"--outputTopic={isolated['topic']}", "--count=50", "--seed=health")
    # A group that never read the topic lags by all 50; the same topic stands in for dead letters
    # written in the last hour.
    monkeypatch.setenv("AIRFLOW_VAR_USERSTREAM_CONSUMER_GROUP", isolated["group"])
    monkeypatch.setenv("AIRFLOW_VAR_USERSTREAM_DEAD_LETTER_TOPIC", isolated["topic"])
    monkeypatch.setenv("AIRFLOW_VAR_USERSTREAM_MAX_CONSUMER_LAG", "10")
    monkeypatch.setenv("AIRFLOW_VAR_USERSTREAM_MAX_RECENT_DEAD_LETTERS", "20")
    dag = health_dag()
    dag.get_task("check_lag_and_dead_letters").retries = 0  # dag.test() would wait out the retry delay
    failed = dag.test(logical_date=datetime(2026, 11, 24, 13, 0, tzinfo=UTC))
    assert failed.state == "failed"
    printed = output(capfd)
    assert f"CHECK FAILED: consumer lag 50 of group {isolated['group']} is above --maxLag=10" in printed
    assert "CHECK FAILED: 50 dead letters in the last 60 min, above --maxRecentDeadLetters=20" in printed

    monkeypatch.setenv("AIRFLOW_VAR_USERSTREAM_MAX_CONSUMER_LAG", "50")
    monkeypatch.setenv("AIRFLOW_VAR_USERSTREAM_MAX_RECENT_DEAD_LETTERS", "50")
    passed = health_dag().test(logical_date=datetime(2026, 11, 24, 13, 5, tzinfo=UTC))
    assert passed.state == "success"
    printed = output(capfd)
    assert "CHECK OK" in printed
    assert "CHECK OK: profiles API /health answered" in printed and '{"status": "up"}' in printed


def test_the_health_check_fails_when_the_profiles_api_does_not_answer(monkeypatch, capfd):
    monkeypatch.setenv("AIRFLOW_CONN_USERSTREAM_PROFILES_API",
                       json.dumps({"conn_type": "http", "host": "127.0.0.1", "port": 1}))
    dag = health_dag()
    dag.get_task("check_profiles_api").retries = 0
    dag.get_task("check_lag_and_dead_letters").retries = 0
    failed = dag.test(logical_date=datetime(2026, 11, 24, 13, 10, tzinfo=UTC))
    assert failed.state == "failed"
    states = {ti.task_id: ti.state for ti in failed.get_task_instances()}
    assert states["check_profiles_api"] == "failed"
    assert ("CHECK FAILED: the profiles API at http://127.0.0.1:1 (connection userstream_profiles_api) did not answer"
            " /health") in output(capfd)


def stream_on_a_cluster(isolated, tmp_path, seed: str) -> str:
    """userstream_stream, as the Variables set now, through 300 sample users and the poison payloads, then
    stopped the documented way: it ends as success with every user stored and every payload dead-lettered.
    Returns what the run printed."""
    produced = java("dev.userstream.bench.ProduceSampleUsers",
                    f"--kafkaBootstrapServers={endpoint('userstream_kafka')}",
                    f"--outputTopic={isolated['topic']}", "--count=300", f"--seed={seed}", "--poison=true")
    poison = int(re.search(r"and (\d+) poison payloads", produced).group(1))
    java("dev.userstream.tools.ApplySchema", f"--cassandraHosts={endpoint('userstream_cassandra')}",
         f"--cassandraKeyspace={isolated['keyspace']}",
         "--replication={'class': 'SimpleStrategy', 'replication_factor': 1}")
    stream = start_stream_dag(isolated, tmp_path)
    try:
        java("dev.userstream.tools.Report", f"--kafkaBootstrapServers={endpoint('userstream_kafka')}",
             f"--inputTopic={isolated['topic']}", f"--consumerGroup={isolated['group']}",
             f"--cassandraHosts={endpoint('userstream_cassandra')}", f"--cassandraKeyspace={isolated['keyspace']}",
             "--expectRows=300", "--timeoutSeconds=240", "--report=false")
    finally:
        stop_stream_job(isolated)
    exit_status = stream.wait(timeout=150)
    printed = (tmp_path / "stream-dag.log").read_text()
    assert exit_status == 0, f"userstream_stream did not end as success:\n{printed[-5000:]}"
    assert "Stopped cleanly" in printed
    assert dead_letters_in(isolated["dlq"], isolated) == poison
    return printed


def test_the_stream_dag_runs_on_the_standalone_spark_cluster_and_dead_letters_poison(isolated, monkeypatch, tmp_path):
    monkeypatch.setenv("AIRFLOW_VAR_USERSTREAM_SPARK_MASTER", os.environ["USERSTREAM_SPARK_MASTER"])
    printed = stream_on_a_cluster(isolated, tmp_path, "cluster")
    assert f"--sparkMaster={os.environ['USERSTREAM_SPARK_MASTER']}" in printed


def test_the_stream_dag_runs_on_the_flink_session_cluster_and_dead_letters_poison(isolated, monkeypatch, tmp_path):
    monkeypatch.setenv("AIRFLOW_VAR_USERSTREAM_RUNNER", "FlinkRunner")
    monkeypatch.setenv("AIRFLOW_VAR_USERSTREAM_FLINK_MASTER", os.environ["USERSTREAM_FLINK_MASTER"])
    printed = stream_on_a_cluster(isolated, tmp_path, "flink")
    assert "--runner=FlinkRunner" in printed and f"--flinkMaster={os.environ['USERSTREAM_FLINK_MASTER']}" in printed
    assert "dev.userstream.flink.FlinkStreamPipeline" in printed and "--sparkMaster" not in printed


def test_an_unreachable_service_fails_the_preflight_naming_it(isolated, monkeypatch, capfd):
    cassandra = json.loads(os.environ["AIRFLOW_CONN_USERSTREAM_CASSANDRA"])
    monkeypatch.setenv("AIRFLOW_CONN_USERSTREAM_CASSANDRA", json.dumps({**cassandra, "port": 1}))
    from airflow.dag_processing.dagbag import DagBag

    dag = DagBag(dag_folder=str(DAGS)).dags["userstream_stream"]
    run = dag.test(logical_date=datetime(2026, 11, 24, 14, 0, tzinfo=UTC))
    assert run.state == "failed"
    assert {ti.task_id: ti.state for ti in run.get_task_instances()}["preflight"] == "failed"
    assert f"Cassandra at {cassandra['host']}:1 (connection userstream_cassandra) is unreachable" in output(capfd)
