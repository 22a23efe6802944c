"""userstream_health: fails when the streaming job falls behind or rejects too much, or the
profiles API does not answer.

Every 5 minutes, the bundled jar's Report tool reads the stream consumer group's lag on the input
topic and the dead letters written in the last hour, and exits non-zero naming each threshold
crossed (Variables userstream_max_consumer_lag, default 100000, and
userstream_max_recent_dead_letters, default 100). A failed run is the alert: wire it to e-mail or
a callback as your Airflow does. Beside it, check_profiles_api asks the profiles API (Connection
userstream_profiles_api) for its health, which reads Cassandra, and for one profile.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG, task

from userstream_settings import HEALTH_COMMAND

with DAG(
    dag_id="userstream_health",
    description="consumer lag and recent dead letters of the streaming job against thresholds; the profiles API",
    schedule=timedelta(minutes=5),
    start_date=datetime(2026, 1, 1, tzinfo=UTC),
    catchup=False,
    max_active_runs=1,
    tags=["userstream", "monitoring"],
    default_args={"retries": 1, "retry_delay": timedelta(minutes=1)},
) as dag:
    BashOperator(task_id="check_lag_and_dead_letters", bash_command=HEALTH_COMMAND,
                 execution_timeout=timedelta(minutes=5))

    @task(execution_timeout=timedelta(minutes=1))
    def check_profiles_api() -> None:
        from userstream_settings import check_profiles_api as check

        check()

    check_profiles_api()
