"""userstream_stream: the streaming pipeline (Kafka users.raw -> Cassandra, dead letters to users.dlq).

Triggered by hand. Runs the bundled Spark jar's streaming main with BeamRunJavaPipelineOperator
(PipelineJarOperator), on the Spark master of the Variable userstream_spark_master (local[2] by
default, or the stack's standalone cluster). The task runs as long as the job does.

To stop it: send SIGTERM to the job's JVM on the worker
    pkill -TERM -f dev.userstream.spark.SparkStreamPipeline
It finishes the micro-batch in flight (seconds; at most 60 s), exits with status 0, and the task ends as
success. Marking the task success or failed in the UI stops it too, but Airflow's supervisor
escalates from SIGTERM to SIGKILL after 5 s, which can cut a micro-batch short: nothing is lost
(offsets are committed only once records are stored), the next run redoes that micro-batch.
"""

from __future__ import annotations

from datetime import UTC, datetime

from airflow.sdk import DAG, task

from userstream_beam import PipelineJarOperator
from userstream_settings import JAR, STREAM_OPTIONS

with DAG(
    dag_id="userstream_stream",
    description="Kafka users.raw -> Cassandra (StreamPipeline on the Spark runner), until stopped",
    schedule=None,
    start_date=datetime(2026, 1, 1, tzinfo=UTC),
    catchup=False,
    max_active_runs=1,
    tags=["userstream", "streaming", "beam"],
    default_args={"retries": 1},
) as dag:

    @task(retries=0)
    def preflight() -> None:
        """Fails with one line naming what is missing, before a JVM starts."""
        from userstream_settings import preflight_stream

        preflight_stream()

    stream = PipelineJarOperator(
        task_id="stream_users",
        jar=JAR,
        job_class="dev.userstream.spark.SparkStreamPipeline",
        runner="SparkRunner",
        pipeline_options=STREAM_OPTIONS,
    )

    preflight() >> stream
