#!/usr/bin/env python3
"""`make demo`: the local stack, sample users in users.raw (with a few poison payloads), the
streaming job on the Spark runner (local[2]) until everything is drained, then a report of what
landed where. Safe to run again: the same seed gives the same users, and Cassandra upserts them.

Settings: DEMO_USERS (default 5000), DEMO_SEED (default demo), and the stack's USERSTREAM_*.
"""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import stack  # noqa: E402  (infra/stack.py, beside this file)

SPARK_JAR = stack.REPO / "runners" / "spark" / "target" / "userstream-spark-bundled.jar"


def tool(main_class, *args):
    """Runs one of the jar's command-line tools; fails the demo with its output if it fails."""
    rc = subprocess.call([stack.java(), "-cp", str(SPARK_JAR), main_class, *args])
    if rc != 0:
        raise stack.StackError(f"{main_class.rsplit('.', 1)[-1]} failed (exit {rc})")


def main():
    users = int(os.environ.get("DEMO_USERS", "5000"))
    seed = os.environ.get("DEMO_SEED", "demo")
    if not SPARK_JAR.exists():
        raise stack.StackError(f"{SPARK_JAR} is missing: run make build")
    for d in ["logs", "run", "lib"]:
        (stack.STATE / d).mkdir(parents=True, exist_ok=True)
    stack.up([])
    ep = stack.endpoints()

    stack.say(f"producing {users} sample users (seed '{seed}') and 9 poison payloads to users.raw")
    tool("dev.userstream.tools.ProduceSampleUsers", f"--bootstrap={ep['USERSTREAM_KAFKA']}",
         "--topic=users.raw", f"--count={users}", f"--seed={seed}", "--poison=true")

    log = stack.STATE / "logs" / "stream-job.log"
    checkpoint = stack.STATE / "checkpoints" / f"demo-{int(time.time())}"
    cmd = [stack.java(), "-Xmx2g", *stack.JAVA17_OPENS, "-Dspark.driver.host=127.0.0.1",
           "-Dspark.driver.bindAddress=127.0.0.1", "-jar", str(SPARK_JAR), "--runner=SparkRunner",
           "--sparkMaster=local[2]", f"--checkpointDir={checkpoint}",
           f"--kafkaBootstrapServers={ep['USERSTREAM_KAFKA']}",
           f"--cassandraHosts={ep['USERSTREAM_CASSANDRA']}",
           f"--cassandraKeyspace={stack.setting('USERSTREAM_KEYSPACE')}"]
    stack.say(f"starting the streaming job on the Spark runner (local[2]); log: {log}")
    started = time.monotonic()
    with open(log, "ab") as out:
        job = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=stack.STATE,
                               env={**os.environ, "SPARK_LOCAL_IP": stack.HOST})
    report = ["dev.userstream.tools.Report", f"--bootstrap={ep['USERSTREAM_KAFKA']}",
              f"--cassandraHosts={ep['USERSTREAM_CASSANDRA']}",
              f"--keyspace={stack.setting('USERSTREAM_KEYSPACE')}"]
    try:
        tool(*report, f"--expectRows={users}", "--timeoutSeconds=300", "--report=false")
        stack.say(f"drained in {time.monotonic() - started:.0f} s from job start; stopping the job gracefully")
    finally:
        job.send_signal(signal.SIGTERM)
        try:
            job.wait(timeout=150)
        except subprocess.TimeoutExpired:
            job.kill()
            raise stack.StackError(f"the job did not stop within 150 s of SIGTERM; see {log}")
    print()
    print("What landed where:")
    tool(*report)
    print(f"""
Where to look:
  job log              {log}
  server logs          {stack.STATE / 'logs'}
  Spark master UI      {ep['USERSTREAM_SPARK_UI']}
  dead letters         java -cp "{stack.STATE / 'lib' / 'kafka'}/*" org.apache.kafka.tools.consumer.ConsoleConsumer \\
                         --bootstrap-server {ep['USERSTREAM_KAFKA']} --topic users.dlq --from-beginning \\
                         --property print.headers=true --timeout-ms 5000
  stop everything      make down
""")


if __name__ == "__main__":
    try:
        main()
    except stack.StackError as e:
        print(f"[demo] ERROR: {e}", file=sys.stderr)
        sys.exit(1)
