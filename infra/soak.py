#!/usr/bin/env python3
"""`make soak`: the streaming job on the Spark runner under a steady stream for a long time, with a
Kafka restart and a Cassandra restart on the way; a leak or a loss shows here, not in a test.

A paced producer offers SOAK_RATE users/s (default 1000) for SOAK_MINUTES (default 30), with one
small poison payload after every 1000th user, into topics of their own. A third of the way in,
Kafka is restarted; two thirds in, Cassandra is stopped for 30 s and started again. Every minute it
prints records in, the group's lag, dead letters (committed), and the job's RSS and GC time. At the
end it waits for the job to drain and prints records in / stored / dead-lettered / lost /
duplicated, then stops the job with SIGTERM (a clean stop is part of the result). The table goes to
target/soak/soak.md. Needs the stack (`make soak` runs it inside `stack.py with`).

Runs with infra/.venv's Python (confluent-kafka reads the offsets).
"""
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

from confluent_kafka import Consumer, TopicPartition

sys.path.insert(0, str(Path(__file__).resolve().parent))
import stack  # noqa: E402  (infra/stack.py, beside this file)

SPARK_JAR = stack.SPARK_JAR
OUT = stack.REPO / "target" / "soak"
# How long the drain at the end may go without progress before the soak fails.
DRAIN_STALL_SECONDS = 300


def setting(name, default):
    return int(os.environ.get(name, default))


def java(*args, log=None):
    env = {**os.environ, "SPARK_LOCAL_IP": stack.HOST, **stack.cassandra_login_env()}
    cmd = [stack.java(), *args]
    if log is None:
        return subprocess.run(cmd, env=env, capture_output=True, text=True)
    return subprocess.Popen(cmd, env=env, stdout=open(log, "ab"), stderr=subprocess.STDOUT)


def tool(main_class, *args):
    done = java("-cp", str(SPARK_JAR), main_class, *args)
    if done.returncode != 0:
        raise stack.StackError(f"{main_class} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done.stdout + done.stderr


class Kafka:
    """Offsets of the input topic, the group's committed offsets, and dead letters committed."""

    def __init__(self, bootstrap, topic, dlq, group):
        self.topic, self.dlq = topic, dlq
        self.offsets = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False})
        self.letters = Consumer({"bootstrap.servers": bootstrap, "group.id": f"{group}-soak-reader",
                                 "enable.auto.commit": False, "isolation.level": "read_committed",
                                 "auto.offset.reset": "earliest"})
        self.letters.subscribe([dlq])
        self.dead_letters = 0

    def partitions(self, topic):
        meta = self.offsets.list_topics(topic, timeout=30)
        return [TopicPartition(topic, p) for p in meta.topics[topic].partitions]

    def records_in(self):
        return sum(self.offsets.get_watermark_offsets(tp, timeout=30)[1] for tp in self.partitions(self.topic))

    def lag(self):
        parts = self.partitions(self.topic)
        committed = {tp.partition: tp.offset for tp in self.offsets.committed(parts, timeout=30)}
        return sum(self.offsets.get_watermark_offsets(tp, timeout=30)[1] - max(0, committed.get(tp.partition, 0))
                   for tp in parts)

    def count_dead_letters(self):
        """Reads what was committed to the dead-letter topic since the last call (a second at most)."""
        deadline = time.monotonic() + 1
        while time.monotonic() < deadline:
            for m in self.letters.consume(num_messages=1000, timeout=0.2):
                if m.error() is None:
                    self.dead_letters += 1
        return self.dead_letters


def memory(pid):
    """The JVM's resident memory (MiB), its old generation's occupancy (MiB: what a leak grows; RSS
    also grows while G1 sizes the young generation) and its total GC time so far (s)."""
    status = Path(f"/proc/{pid}/status").read_text()
    rss = int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) // 1024
    out = subprocess.run(["jstat", "-gc", str(pid)], capture_output=True, text=True).stdout.split("\n")
    gc = dict(zip(out[0].split(), out[1].split())) if len(out) > 1 and out[1] else {}
    return rss, float(gc.get("OU", "nan")) / 1024, float(gc.get("GCT", "nan"))


def live_set(pid):
    """The old generation's occupancy (MiB) right after a full GC: what the job really holds."""
    subprocess.run(["jcmd", str(pid), "GC.run"], capture_output=True, check=True)
    return memory(pid)[1]


def restart(name, down_seconds=0):
    started = time.monotonic()
    subprocess.run([sys.executable, str(stack.REPO / "infra" / "stack.py"), "stop", name], check=True)
    time.sleep(down_seconds)  # the fault itself: the server stays down this long
    subprocess.run([sys.executable, str(stack.REPO / "infra" / "stack.py"), "up", name], check=True)
    return time.monotonic() - started


def main():
    minutes = setting("SOAK_MINUTES", 30)
    rate = setting("SOAK_RATE", 1000)
    users = minutes * 60 * rate
    poison_every = 1000
    ep = stack.endpoints()
    run = uuid.uuid4().hex[:8]
    topic, dlq, group, keyspace = f"soak-{run}-raw", f"soak-{run}-dlq", f"soak-{run}", f"soak_{run}"
    OUT.mkdir(parents=True, exist_ok=True)
    logs = stack.STATE / "logs"
    stack.create_topics([topic, dlq])
    tool("dev.userstream.tools.ApplySchema", f"--cassandraHosts={ep['USERSTREAM_CASSANDRA']}", f"--cassandraKeyspace={keyspace}",
         f"--replication={stack.cassandra_replication()}")
    stack.say(f"soak {run}: {users:,} users at {rate}/s for {minutes} min into {topic}; Kafka restarted at "
              f"{minutes / 3:.0f} min, Cassandra stopped 30 s at {2 * minutes / 3:.0f} min; "
              f"logs in {logs}/soak-{run}-*.log")
    job = java("-Xmx1536m", *stack.job_java_options(), "-cp", str(SPARK_JAR),
               "dev.userstream.spark.SparkStreamPipeline", "--runner=SparkRunner",
               "--sparkMaster=local[2]", f"--kafkaBootstrapServers={ep['USERSTREAM_KAFKA']}", f"--inputTopic={topic}",
               f"--deadLetterTopic={dlq}", f"--consumerGroup={group}", f"--cassandraHosts={ep['USERSTREAM_CASSANDRA']}",
               f"--cassandraKeyspace={keyspace}", f"--schemaRegistryUrl={ep['USERSTREAM_SCHEMA_REGISTRY']}",
               log=logs / f"soak-{run}-job.log")
    producer = java("-cp", stack.bench_classpath(), "dev.userstream.bench.ProduceSampleUsers",
                    f"--kafkaBootstrapServers={ep['USERSTREAM_KAFKA']}", f"--outputTopic={topic}", f"--count={users}",
                    f"--seed=soak-{run}", f"--ratePerSecond={rate}", f"--poisonEvery={poison_every}",
                    f"--schemaRegistryUrl={ep['USERSTREAM_SCHEMA_REGISTRY']}", log=logs / f"soak-{run}-producer.log")
    kafka = Kafka(ep["USERSTREAM_KAFKA"], topic, dlq, group)
    rows = ["| minute | records in | lag | dead letters | job RSS (MiB) | old gen (MiB) | job GC (s, total) | event |",
            "|---|---|---|---|---|---|---|---|"]
    started = time.monotonic()
    events = {max(1, minutes // 3): "kafka", max(2, 2 * minutes // 3): "cassandra"}
    minute = 0
    live = {}
    try:
        while producer.poll() is None or minute == 0:
            if job.poll() is not None:
                raise stack.StackError(f"the streaming job exited ({job.returncode}) during the soak; see its log")
            minute += 1
            time.sleep(max(0, started + minute * 60 - time.monotonic()))  # the sampling period, not a sync
            event = ""
            if events.get(minute) == "kafka":
                event = f"Kafka restarted ({restart('kafka'):.0f} s)"
            elif events.get(minute) == "cassandra":
                event = f"Cassandra stopped 30 s ({restart('cassandra', 30):.0f} s down)"
            if minute == min(5, minutes):
                live["early"] = (minute, live_set(job.pid))
                event = (event + "; " if event else "") + f"full GC: {live['early'][1]:,.0f} MiB live"
            rss, old, gc = memory(job.pid)
            rows.append(f"| {minute} | {kafka.records_in():,} | {kafka.lag():,} | {kafka.count_dead_letters():,} | "
                        f"{rss:,} | {old:,.0f} | {gc:.1f} | {event} |")
            print(rows[-1], flush=True)
        if producer.returncode != 0:
            raise stack.StackError(f"the producer failed ({producer.returncode}); see soak-{run}-producer.log")
        poison = users // poison_every
        last, still_since = None, time.monotonic()
        while True:
            state = (kafka.lag(), kafka.count_dead_letters())
            if state == (0, poison):
                break
            if state != last:
                last, still_since = state, time.monotonic()
            elif time.monotonic() - still_since > DRAIN_STALL_SECONDS:
                raise stack.StackError(
                    f"the drain stalled at lag {state[0]:,}, {state[1]:,} of {poison:,} dead letters")
            time.sleep(5)
        live["end"] = ((time.monotonic() - started) / 60, live_set(job.pid))
        rss, old, gc = memory(job.pid)
        rows.append(f"| {live['end'][0]:.1f} | {kafka.records_in():,} | 0 | {poison:,} | {rss:,} | "
                    f"{old:,.0f} | {gc:.1f} | drained; full GC: {live['end'][1]:,.0f} MiB live |")
        print(rows[-1], flush=True)
        report = tool("dev.userstream.tools.Report", f"--kafkaBootstrapServers={ep['USERSTREAM_KAFKA']}", f"--inputTopic={topic}",
                      f"--deadLetterTopic={dlq}", f"--consumerGroup={group}", f"--cassandraHosts={ep['USERSTREAM_CASSANDRA']}",
                      f"--cassandraKeyspace={keyspace}", f"--expectRows={users}", "--timeoutSeconds=600")
        stored = int(re.search(r"rows in \S+:\s+(\d+)", report).group(1))
        letters = int(re.search(r"dead letters in \S+:\s+(\d+)", report).group(1))
    finally:
        if job.poll() is None:
            job.send_signal(signal.SIGTERM)
        exit_status = job.wait(timeout=180)
        if producer.poll() is None:
            producer.terminate()
    summary = (f"records in {users + poison:,} ({users:,} users, {poison:,} poison), stored {stored:,}, "
               f"dead-lettered {letters:,}, lost {users - stored + max(0, poison - letters):,}, duplicated "
               f"{max(0, letters - poison):,} dead letters (rows are keyed by user: none can repeat); "
               f"the job stopped with exit status {exit_status}; live heap after a full GC: "
               + ", ".join(f"{mb:,.0f} MiB at minute {m:.0f}" for m, mb in live.values()))
    text = "\n".join([f"Soak {run}: {rate} users/s for {minutes} min", "", *rows, "", summary, ""])
    (OUT / "soak.md").write_text(text)
    print(summary)
    stack.say(f"written {OUT / 'soak.md'}")
    lost_or_dup = users != stored or letters != poison
    return 1 if lost_or_dup or exit_status != 0 else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except stack.StackError as e:
        print(f"soak failed: {e}", file=sys.stderr)
        sys.exit(1)
