"""userstream_ingest: randomuser.me -> PostgreSQL staging -> Kafka users.raw, on a schedule.

Runs IngestPipeline from the bundled Spark jar with BeamRunJavaPipelineOperator, after a preflight
task that names whatever is missing (jar, Java, PostgreSQL, Kafka, password file). Endpoints come
from the Connections userstream_postgres and userstream_kafka and from Variables (see
userstream_settings.py); infra/stack.py defines them for the local stack. The seed is the run's
logical date, so a retried or re-run DAG run fetches the same users and adds nothing twice.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

from airflow.sdk import DAG, task

from userstream_beam import PipelineJarOperator
from userstream_settings import INGEST_OPTIONS, JAR, RUNNER

with DAG(
    dag_id="userstream_ingest",
    description="randomuser.me -> PostgreSQL staging -> Kafka users.raw (IngestPipeline on the Spark runner)",
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
    def preflight() -> None:
        """Fails with one line naming what is missing, before a JVM starts."""
        from userstream_settings import preflight_ingest

        preflight_ingest()

    ingest = PipelineJarOperator(
        task_id="ingest_users",
        jar=JAR,
        job_class="dev.userstream.ingest.IngestPipeline",
        runner=RUNNER,
        pipeline_options=INGEST_OPTIONS,
        execution_timeout=timedelta(minutes=30),
    )

    preflight() >> ingest
