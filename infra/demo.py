#!/usr/bin/env python3
"""`make demo`: the local stack, then the whole product on the Spark runner (local[2]):
randomuser.me API (the local emulator unless DEMO_API_URL says otherwise) -> IngestPipeline ->
PostgreSQL staging -> Kafka users.raw -> StreamPipeline -> Cassandra, plus a few malformed records
to show dead-lettering; then a report of what landed where. Safe to run again: the same seed gives
the same users, staging ignores keys it has, and Cassandra upserts.

Settings: DEMO_API_URL (default: the stack's emulator; https://randomuser.me/api/ for the real
API), DEMO_SEED (default demo), DEMO_PAGES (default 2), DEMO_RESULTS (users per page, default
2500), and the stack's USERSTREAM_*.
"""
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import stack  # noqa: E402  (infra/stack.py, beside this file)

SPARK_JAR = stack.SPARK_JAR


def tool(main_class, *args):
    """Runs a command-line tool of the product's jar or infra/bench's; fails the demo if it fails."""
    rc = subprocess.call([stack.java(), "-cp", stack.bench_classpath(), main_class, *args], env=job_env())
    if rc != 0:
        raise stack.StackError(f"{main_class.rsplit('.', 1)[-1]} failed (exit {rc})")


def job_env():
    """The jobs' and tools' environment: loopback Spark, and the stack's Cassandra login (a password file)."""
    return {**os.environ, "SPARK_LOCAL_IP": stack.HOST, **stack.cassandra_login_env()}


def ingest(ep, api_url, seed, pages, results):
    """IngestPipeline on the Spark runner, batch; returns its summary line."""
    log = stack.STATE / "logs" / "ingest.log"
    stack.say(f"ingesting {pages} page(s) of {results} users (seed '{seed}') from {api_url} on the Spark runner; "
              f"log: {log}")
    cmd = [stack.java(), "-Xmx2g", *stack.job_java_options(), "-cp", str(SPARK_JAR), "dev.userstream.ingest.IngestPipeline",
           "--runner=SparkRunner", "--sparkMaster=local[2]", f"--apiUrl={api_url}", f"--seed={seed}",
           f"--pages={pages}", f"--resultsPerPage={results}",
           f"--postgresUrl={ep['USERSTREAM_POSTGRES_URL']}", f"--postgresUser={ep['USERSTREAM_POSTGRES_USER']}",
           f"--postgresPasswordFile={ep['USERSTREAM_POSTGRES_PASSWORD_FILE']}",
           f"--kafkaBootstrapServers={ep['USERSTREAM_KAFKA']}", "--outputTopic=users.raw"]
    with open(log, "ab") as out:
        rc = subprocess.call(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=stack.STATE,
                             env=job_env())
    text = log.read_text(errors="replace")
    if rc != 0:
        failures = re.findall(r"Ingestion failed: (.*)", text)
        raise stack.StackError(f"ingestion failed (exit {rc}): {failures[-1] if failures else 'see ' + str(log)}")
    return re.findall(r"Ingestion done in (.*)", text)[-1]


def main():
    seed = os.environ.get("DEMO_SEED", "demo")
    pages = int(os.environ.get("DEMO_PAGES", "2"))
    results = int(os.environ.get("DEMO_RESULTS", "2500"))
    if not SPARK_JAR.exists():
        raise stack.StackError(f"{SPARK_JAR} is missing: run make build")
    for d in ["logs", "run", "lib"]:
        (stack.STATE / d).mkdir(parents=True, exist_ok=True)
    stack.up([])
    ep = stack.endpoints()
    api_url = os.environ.get("DEMO_API_URL") or ep["USERSTREAM_API_URL"]

    summary = ingest(ep, api_url, seed, pages, results)
    stack.say(f"ingestion done in {summary}")
    staged = int(stack.psql(stack.PG_DATABASE, "-c", "SELECT count(*) FROM staging.raw_users"))
    unpublished = int(stack.psql(stack.PG_DATABASE, "-c",
                                 "SELECT count(*) FROM staging.raw_users WHERE published_at IS NULL"))
    stack.say(f"staging.raw_users holds {staged} users, {unpublished} unpublished")

    stack.say("adding 10 malformed records to users.raw, to show dead-lettering")
    tool("dev.userstream.bench.ProduceSampleUsers", f"--kafkaBootstrapServers={ep['USERSTREAM_KAFKA']}",
         "--outputTopic=users.raw", "--count=0", "--poison=true")

    log = stack.STATE / "logs" / "stream-job.log"
    checkpoint = stack.STATE / "checkpoints" / f"demo-{int(time.time())}"
    cmd = [stack.java(), "-Xmx2g", *stack.job_java_options(), "-jar", str(SPARK_JAR), "--runner=SparkRunner",
           "--sparkMaster=local[2]", f"--checkpointDir={checkpoint}",
           f"--kafkaBootstrapServers={ep['USERSTREAM_KAFKA']}",
           f"--cassandraHosts={ep['USERSTREAM_CASSANDRA']}",
           f"--cassandraKeyspace={stack.setting('USERSTREAM_KEYSPACE')}"]
    stack.say(f"starting the streaming job on the Spark runner (local[2]); log: {log}")
    started = time.monotonic()
    with open(log, "ab") as out:
        job = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=stack.STATE,
                               env=job_env())
    report = ["dev.userstream.tools.Report", f"--kafkaBootstrapServers={ep['USERSTREAM_KAFKA']}",
              f"--cassandraHosts={ep['USERSTREAM_CASSANDRA']}",
              f"--cassandraKeyspace={stack.setting('USERSTREAM_KEYSPACE')}"]
    try:
        # Every staged user is published, so Cassandra ends up with at least that many rows.
        tool(*report, f"--expectRows={staged}", "--timeoutSeconds=300", "--report=false")
        stack.say(f"drained in {time.monotonic() - started:.0f} s from job start; stopping the job gracefully")
    finally:
        job.send_signal(signal.SIGTERM)
        try:
            job.wait(timeout=150)
        except subprocess.TimeoutExpired:
            job.kill()
            raise stack.StackError(f"the job did not stop within 150 s of SIGTERM; see {log}")
    print()
    print("What happened at each stage:")
    print(f"  ingestion            {summary}")
    print(f"  PostgreSQL staging   {staged} users in staging.raw_users, {unpublished} waiting to be published")
    tool(*report)
    print(f"""
Where to look:
  ingestion log        {stack.STATE / 'logs' / 'ingest.log'}
  streaming job log    {log}
  server logs          {stack.STATE / 'logs'}
  console              {ep['USERSTREAM_CONSOLE']} (topics, lag, dead letters, schemas, latency)
  schema registry      {ep['USERSTREAM_SCHEMA_REGISTRY']}/subjects/users.raw-value/versions/latest
  Spark master UI      {ep['USERSTREAM_SPARK_UI']}
  staging table        PGPASSWORD=$(cat {ep['USERSTREAM_POSTGRES_PASSWORD_FILE']}) psql -h 127.0.0.1 \\
                         -p {stack.port('USERSTREAM_POSTGRES_PORT')} -U {ep['USERSTREAM_POSTGRES_USER']} {stack.PG_DATABASE} \\
                         -c 'SELECT seed, page, count(*), count(published_at) FROM staging.raw_users GROUP BY 1, 2'
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
