"""make bench's tool, small: every phase runs (the profiles API's look-ups answered), and the report
and the chart are written.

It measures nothing here (figures on a shared CI machine mean little): it checks the benchmark
still works end to end, so `make bench` does not rot between the times someone runs it.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.stack

REPO = Path(__file__).resolve().parents[2]
SPARK_JAR = REPO / "runners" / "spark" / "target" / "userstream-spark-bundled.jar"
BENCH_JAR = REPO / "infra" / "bench" / "target" / "userstream-bench.jar"


def test_a_small_run_of_every_phase_writes_the_report_and_the_chart(tmp_path):
    out = subprocess.run(
        ["java", *os.environ.get("USERSTREAM_JAVA_OPTS", "").split(), "-Djava.awt.headless=true", "-cp", f"{SPARK_JAR}{os.pathsep}{BENCH_JAR}",
         "dev.userstream.bench.Bench", "--users=5000", "--rate=200", "--seconds=5", "--profile=true",
         "--queryRate=50", "--querySeconds=5", "--runners=spark,flink",
         f"--out={tmp_path}"],
        capture_output=True, text=True, timeout=900, cwd=REPO)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    report = json.loads((tmp_path / "bench.json").read_text())
    assert report["ingest"]["users"] == 5000
    assert report["drain"]["users"] == 5000 and report["drain"]["rowsPerSecond"] > 0
    assert report["latency"]["records"] == 1000 and report["latency"]["p99Ms"] >= report["latency"]["p50Ms"]
    assert report["ceilings"]["cassandraWritePerSecond"] > 0 and report["ceilings"]["kafkaConsumePerSecond"] > 0
    assert {"kafka", "cassandra", "streaming job"} <= set(report["memory"])
    # The profiles API over the drained table, by id and by e-mail, every look-up answered.
    for kind in ("byId", "byEmail"):
        queries = report["queries"][kind]
        assert queries["requests"] == 250 and queries["answered"] == 250 and queries["errors"] == 0, queries
        assert 0 < queries["p50Ms"] <= queries["p99Ms"] <= queries["maxMs"], queries
        assert queries["machine"]["cpuSeconds"]["api"] > 0, queries
        # Profiled: the API and the stack's Cassandra during these look-ups.
        for who in ("api", "cassandra"):
            assert queries["profile"][who]["samples"] > 0, (kind, who)
            assert "<canvas" in (tmp_path / f"profile-{who}-{kind}.html").read_text(), (kind, who)
    assert report["queries"]["byId"]["notInFirstPage"] == 0
    assert "| queries by e-mail: p50 / p99 / max, errors |" in out.stdout
    assert "| queries by id profile: API CPU by component |" in out.stdout
    machines = [report[phase]["machine"] for phase in ("ingest", "drain", "latency", "ceilings")]
    for machine in machines + [report["queries"][kind]["machine"] for kind in ("byId", "byEmail")]:
        assert 0 <= machine["iowaitPercent"] <= 100 and 0 <= machine["stealPercent"] <= 100, machine
        assert machine["busyPercent"] > 0 and machine["cpuSeconds"]["bench"] >= 0, machine
    assert report["drain"]["machine"]["cpuSeconds"]["job"] > 0 and report["drain"]["machine"]["cpuSeconds"]["cassandra"] > 0
    assert "| drain: machine | CPU s: job " in out.stdout
    # make profile: the agent loaded, the recording became flame graphs and a split by component.
    assert report["profile"]["samples"] > 0 and sum(report["profile"]["percentByComponent"].values()) > 99
    for name in ("profile-job.html", "profile-drain.html", "profile-cassandra-drain.html"):
        assert "<canvas" in (tmp_path / name).read_text(), name
    assert "| drain profile: job CPU by component |" in out.stdout
    # ... and the stack's Cassandra, profiled while running, split by the work it did.
    cassandra = report["profile"]["cassandra"]
    assert cassandra["samples"] > 0 and sum(cassandra["percentByComponent"].values()) > 99, cassandra
    assert "| drain profile: Cassandra CPU by work |" in out.stdout
    assert [t["target"] for t in report["targets"]] == [
        "ingest >= 20,000 users/s overall", "p99 end-to-end latency <= 2 s at 200 users/s",
        "profile by id: p99 <= 10 ms at 50 requests/s, no errors",
        "profiles by e-mail: p99 <= 30 ms at 50 requests/s, no errors",
        "stream drain >= 60% of the raw Cassandra write ceiling",
        "Flink runner: p99 end-to-end latency <= 100 ms at 200 users/s",
        "Flink runner: drain at least the Spark runner's"]
    # Side by side: the same drain and load on the Flink runner, on tables and topics of its own.
    flink = report["runners"]["flink"]
    assert flink["runner"] == "FlinkRunner" and report["runner"] == "SparkRunner"
    assert flink["drain"]["users"] == 5000 and flink["drain"]["rowsPerSecond"] > 0
    assert flink["drain"]["machine"]["cpuSeconds"]["job"] > 0
    assert flink["latency"]["records"] == 1000 and flink["latency"]["p99Ms"] >= flink["latency"]["p50Ms"]
    assert "| flink: drain: rows/s (first -> last row) |" in out.stdout
    assert (tmp_path / "latency.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "| drain: rows/s (first -> last row) |" in out.stdout
