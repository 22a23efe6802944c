"""Every DAG imports, and each is shaped as the project promises: tags, retries, schedule, no catch-up."""

from __future__ import annotations

from pathlib import Path

import pytest

DAGS = Path(__file__).resolve().parents[1] / "dags"


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS))


def test_every_dag_imports(dagbag):
    assert dagbag.import_errors == {}
    assert set(dagbag.dag_ids) == {"userstream_ingest", "userstream_stream", "userstream_health"}


@pytest.mark.parametrize("dag_id", ["userstream_ingest", "userstream_stream"])
def test_dags_are_tagged_not_catching_up_and_retried(dagbag, dag_id):
    dag = dagbag.dags[dag_id]
    assert "userstream" in dag.tags
    assert dag.catchup is False
    assert dag.max_active_runs == 1
    beam = next(t for t in dag.tasks if t.task_id != "preflight")
    from airflow.providers.apache.beam.operators.beam import BeamRunJavaPipelineOperator

    assert isinstance(beam, BeamRunJavaPipelineOperator)
    assert beam.retries >= 1
    assert dag.get_task("preflight").downstream_task_ids == {beam.task_id}


def test_health_runs_every_five_minutes_with_a_retry(dagbag):
    dag = dagbag.dags["userstream_health"]
    assert dag.catchup is False and "userstream" in dag.tags
    assert repr(dag.timetable).startswith("DeltaTriggerTimetable(delta=datetime.timedelta(seconds=300)")
    assert dag.get_task("check_lag_and_dead_letters").retries == 1
    assert dag.get_task("check_profiles_api").retries == 1


def test_ingest_is_scheduled_and_stream_is_manual(dagbag):
    assert dagbag.dags["userstream_ingest"].timetable.expression == "*/10 * * * *"
    assert dagbag.dags["userstream_stream"].timetable.__class__.__name__ == "NullTimetable"


def test_no_endpoint_or_secret_literals_in_dag_code():
    for f in DAGS.glob("*.py"):
        text = f.read_text()
        for literal in ["127.0.0.1", "localhost", ":19092", ":15432", ":19042", "password="]:
            assert literal not in text, f"{f.name} contains {literal!r}"
