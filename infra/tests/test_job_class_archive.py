"""The jobs' class-data archive (infra/stack.py): made by `up` for the jar as built, named in the
jobs' options, and really used by a JVM of the bundled jar.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.stack

REPO = Path(__file__).resolve().parents[2]
SPARK_JAR = REPO / "runners" / "spark" / "target" / "userstream-spark-bundled.jar"


def archive_option() -> str:
    options = os.environ["USERSTREAM_JOB_JAVA_OPTS"].split()
    shared = [o for o in options if o.startswith("-XX:SharedArchiveFile=")]
    assert len(shared) == 1, options
    return shared[0]


def test_up_dumped_an_archive_of_the_jar_as_built():
    archive = Path(archive_option().split("=", 1)[1])
    assert archive.parent == Path(os.environ["USERSTREAM_HOME"]) / "cds"
    assert archive.stat().st_size > 10_000_000, archive
    # One archive, of this build: older ones are removed when the jar changes.
    assert sorted(archive.parent.glob("*.jsa")) == [archive]
    assert archive.stat().st_mtime >= SPARK_JAR.stat().st_mtime


def test_a_job_of_the_bundled_jar_loads_its_classes_from_the_archive():
    # -Xshare:on makes the JVM refuse to start when it cannot use the archive (a jar built since,
    # another JVM), where the default would quietly start without it.
    out = subprocess.run(
        ["java", *os.environ["USERSTREAM_JOB_JAVA_OPTS"].split(), "-Xshare:on", "-Xlog:class+load=info",
         "-cp", str(SPARK_JAR), "dev.userstream.spark.SparkStreamPipeline", "--help"],
        capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    sources = dict(re.findall(r"\[class,load\] (\S+) source: (.+)", out.stdout))
    for name in ("dev.userstream.spark.SparkStreamPipeline", "dev.userstream.options.KafkaOptions",
                 "org.apache.beam.sdk.options.PipelineOptionsFactory"):
        assert sources.get(name) == "shared objects file", (name, sources.get(name))
    shared = sum(1 for source in sources.values() if source == "shared objects file")
    assert shared > 0.9 * len(sources), f"{shared} of {len(sources)} classes from the archive"
