"""userstream_ingest: randomuser.me -> PostgreSQL staging -> Kafka users.raw, on a schedule.

Runs IngestPipeline from the runner's bundled jar (the Spark jar for SparkRunner and DirectRunner,
the Flink jar for FlinkRunner: Variable userstream_runner) with BeamRunJavaPipelineOperator, after a
preflight task that names whatever is missing (jar, Java, PostgreSQL, Kafka, password file). Endpoints come
from the Connections userstream_postgres and userstream_kafka and from Variables (see
userstream_settings.py); infra/stack.py defines them for the local stack. The seed is the run's
logical date, so a retried or re-run DAG run fetches the same users and adds nothing twice.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

from airflow.sdk import DAG, task

from userstream_beam import PipelineJarOperator
from userstream_settings import INGEST_OPTIONS, RUNNER

with DAG(
    dag_id="userstream_ingest",
    description="randomuser.me -> PostgreSQL staging -> Kafka users.raw (IngestPipeline on userstream_runner's runner)",
    schedule=os.environ.get("USERSTREAM_INGEST_SCHEDULE", "*/10 * * * *"),
    start_date=datetime(2026, 1, 1, tzinfo=UTC),
    catchup=False,
    max_active_runs=1,  # runs publish the same staging table: one at a time
    tags=["userstream", "ingestion", "beam"],
    default_args={
        "retries": 2,
        "retry_delay": timedelta(minutes=1),
        "retry_exponential_backoff": True,
        "max_retry_delay": timedelta(minutes=10),
    },
) as dag:

    @task(retries=0)
    def preflight() -> dict:
        """Fails with one line naming what is missing, before a JVM starts; hands the runner's job on."""
        from userstream_settings import preflight_ingest

        return preflight_ingest()

    job = preflight()
    PipelineJarOperator(
        task_id="ingest_users",
        jar=job["jar"],
        job_class=job["job_class"],
        runner=RUNNER,
        default_pipeline_options=job["options"],
        pipeline_options=INGEST_OPTIONS,
        execution_timeout=timedelta(minutes=30),
    )
