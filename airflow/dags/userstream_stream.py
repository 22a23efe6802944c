"""userstream_stream: the streaming pipeline (Kafka users.raw -> Cassandra, dead letters to users.dlq).

Triggered by hand. Runs the streaming main of the runner's bundled jar with BeamRunJavaPipelineOperator
(PipelineJarOperator), on the runner of the Variable userstream_runner:
- SparkRunner (default): the Spark jar, on the Spark master of userstream_spark_master (local[2] by
  default, or the stack's standalone cluster);
- FlinkRunner: the Flink jar (userstream_flink_jar), on userstream_flink_master ([local], embedded, by
  default, or the stack's session cluster: $USERSTREAM_FLINK_MASTER);
- DirectRunner: the Spark jar, in the task's JVM only.
The task runs as long as the job does.

To stop it: send SIGTERM to the job's JVM on the worker
    pkill -TERM -f dev.userstream.spark.SparkStreamPipeline    (or dev.userstream.flink.FlinkStreamPipeline)
On Spark it finishes the micro-batch in flight (seconds; at most 60 s); on Flink it cancels the job, whose
bundle in flight commits nothing. Either exits with status 0, and the task ends as success. Marking the
task success or failed in the UI stops it too, but Airflow's supervisor escalates from SIGTERM to SIGKILL
after 5 s, which can cut a micro-batch short (and leaves a job on a Flink cluster running): nothing is
lost (offsets are committed only once records are stored), the next run redoes what was cut short.
"""

from __future__ import annotations

from datetime import UTC, datetime

from airflow.sdk import DAG, task

from userstream_beam import PipelineJarOperator
from userstream_settings import RUNNER, STREAM_OPTIONS

with DAG(
    dag_id="userstream_stream",
    description="Kafka users.raw -> Cassandra (StreamPipeline on userstream_runner's runner), until stopped",
    schedule=None,
    start_date=datetime(2026, 1, 1, tzinfo=UTC),
    catchup=False,
    max_active_runs=1,
    tags=["userstream", "streaming", "beam"],
    default_args={"retries": 1},
) as dag:

    @task(retries=0)
    def preflight() -> dict:
        """Fails with one line naming what is missing, before a JVM starts; hands the runner's job on."""
        from userstream_settings import preflight_stream

        return preflight_stream()

    job = preflight()
    PipelineJarOperator(
        task_id="stream_users",
        jar=job["jar"],
        job_class=job["job_class"],
        runner=RUNNER,
        default_pipeline_options=job["options"],
        pipeline_options=STREAM_OPTIONS,
    )
