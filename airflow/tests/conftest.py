"""Test settings: the project's DAG folder, no example DAGs; AIRFLOW_HOME comes from the environment."""

import os
import sys
from pathlib import Path

DAGS = Path(__file__).resolve().parents[1] / "dags"
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(DAGS))
# As Airflow's own processes do, so the DAGs' helper module imports.
sys.path.insert(0, str(DAGS))
