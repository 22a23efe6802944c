#!/usr/bin/env python3
"""The local userstream stack without Docker: PostgreSQL, Kafka (KRaft), Cassandra, a Spark
standalone master + worker, a Flink session cluster, the randomuser.me emulator, the schema registry, the profiles read API,
Airflow and the monitoring console, as separate processes on 127.0.0.1, all state and logs under one
directory.

    python3 infra/stack.py up [postgres|kafka|cassandra|spark|flink|emulator|registry|profiles-api|airflow|console ...]
                                                            start (and prepare) what is not running
    python3 infra/stack.py status                           what runs, where, and its PID
    python3 infra/stack.py down                             stop what `up` started, by PID
    python3 infra/stack.py stop NAME...                     stop some of it (postgres, kafka, cassandra,
                                                            kafka-2, spark-master, ...): the fault tests do
    python3 infra/stack.py kill NAME...                     the same with SIGKILL, as a crash would
    python3 infra/stack.py env                              the endpoints, as shell variables
    python3 infra/stack.py with -- COMMAND...               run COMMAND with the stack up, then stop
                                                            only what this call started
    python3 infra/stack.py topics [NAME ...]                create topics (default users.raw, users.dlq)
    python3 infra/stack.py schema                           apply infra/cassandra/schema.cql again (idempotent)
    python3 infra/stack.py airflow ARGS...                  the Airflow CLI with the stack's settings

USERSTREAM_NODES=3 runs Kafka and Cassandra as clusters of three (kafka-1..3, cassandra-1..3),
with replication factor 3; the default is one node of each.

Server jars come from Maven Central through the poms in infra/servers/ (fetched once into the
state directory). Readiness is checked (log lines and open ports, with deadlines), never slept for.
Settings come from the environment; see ENV below and docs/STACK.md.
"""
import base64
import hashlib
import json
import os
import pwd
import secrets
import shlex
import shutil
import signal
import socket
import string
import subprocess
import sys
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
INFRA = REPO / "infra"
STATE = Path(os.environ.get("USERSTREAM_HOME", REPO / ".userstream")).resolve()
HOST = "127.0.0.1"

# Every port the stack owns, overridable from the environment.
ENV = {
    "USERSTREAM_KAFKA_PORT": "19092",
    "USERSTREAM_KAFKA_CONTROLLER_PORT": "19093",
    "USERSTREAM_CASSANDRA_PORT": "19042",
    "USERSTREAM_CASSANDRA_STORAGE_PORT": "17000",
    "USERSTREAM_CASSANDRA_JMX_PORT": "17199",
    "USERSTREAM_SPARK_MASTER_PORT": "17077",
    "USERSTREAM_SPARK_MASTER_UI_PORT": "18080",
    "USERSTREAM_SPARK_WORKER_PORT": "17078",
    "USERSTREAM_SPARK_WORKER_UI_PORT": "18081",
    "USERSTREAM_FLINK_UI_PORT": "18082",
    "USERSTREAM_FLINK_RPC_PORT": "16123",
    "USERSTREAM_FLINK_BLOB_PORT": "16124",
    "USERSTREAM_FLINK_TASKMANAGER_RPC_PORT": "16125",
    "USERSTREAM_FLINK_TASKMANAGER_DATA_PORT": "16126",
    "USERSTREAM_FLINK_QUERY_PORT": "16127",
    "USERSTREAM_EMULATOR_PORT": "18500",
    "USERSTREAM_REGISTRY_PORT": "18085",
    "USERSTREAM_CONSOLE_PORT": "18088",
    "USERSTREAM_PROFILES_API_PORT": "18095",
    "USERSTREAM_POSTGRES_PORT": "15432",
    "USERSTREAM_AIRFLOW_PORT": "18090",
    "USERSTREAM_SPARK_WORKER_CORES": "2",
    "USERSTREAM_SPARK_WORKER_MEMORY": "3g",
    # Room for a job of one reader per partition (USERSTREAM_TOPIC_PARTITIONS), and then some.
    "USERSTREAM_FLINK_SLOTS": "4",
    "USERSTREAM_FLINK_TASKMANAGER_MEMORY": "1600m",
    "USERSTREAM_TOPIC_PARTITIONS": "3",
    "USERSTREAM_KEYSPACE": "userstream",
    # Kafka brokers and Cassandra nodes: 1 (the default, what make demo runs), or 3 for a local
    # cluster (replication factor 3; see "Cluster mode" below and docs/STACK.md).
    "USERSTREAM_NODES": "1",
}
TOPICS = ["users.raw", "users.dlq"]
# Both topics accept the same record size, so any record of users.raw fits in users.dlq.
MAX_MESSAGE_BYTES = 16 * 1024 * 1024


def setting(name):
    return os.environ.get(name, ENV[name])


def port(name):
    return int(setting(name))


# Spark and Beam on Java 17 (VERSIONS.md); the Spark master, worker and every driver need them.
# One copy, the argfile infra/java17.args, which pom.xml and docker-compose.yml use too.
JAVA17_ARGFILE = REPO / "infra" / "java17.args"
JAVA17_OPENS = [f"@{JAVA17_ARGFILE}"]

# Cassandra 5.0's conf/jvm17-server.options, which its start script would add.
CASSANDRA_JVM17 = [
    "-Djdk.attach.allowAttachSelf=true",
    "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
    "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
    "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-exports=java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED",
    "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
    "--add-exports=java.rmi/sun.rmi.server=ALL-UNNAMED",
    "--add-exports=java.sql/java.sql=ALL-UNNAMED",
    "--add-exports=java.base/java.lang.ref=ALL-UNNAMED",
    "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED",
    "--add-opens=java.base/java.lang.module=ALL-UNNAMED",
    "--add-opens=java.base/jdk.internal.loader=ALL-UNNAMED",
    "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
    "--add-opens=java.base/jdk.internal.reflect=ALL-UNNAMED",
    "--add-opens=java.base/jdk.internal.math=ALL-UNNAMED",
    "--add-opens=java.base/jdk.internal.module=ALL-UNNAMED",
    "--add-opens=java.base/jdk.internal.util.jar=ALL-UNNAMED",
    "--add-opens=jdk.management/com.sun.management.internal=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
    "--add-opens=java.base/java.util=ALL-UNNAMED",
    "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=java.base/java.math=ALL-UNNAMED",
    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
    "--add-opens=java.base/java.net=ALL-UNNAMED",
]


class StackError(Exception):
    """A failure with a message that says what to do."""


def say(message):
    print(f"[stack] {message}", flush=True)


def java():
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return str(Path(home) / "bin" / "java")
    found = shutil.which("java")
    if not found:
        raise StackError("no java on PATH (Java 17 is required)")
    return found


# ---------------------------------------------------------------------------------------------
# Server jars from Maven Central


def fetch(name, target):
    """Copies the dependencies of infra/servers/<name>/pom.xml into target, once per pom version."""
    pom = INFRA / "servers" / name / "pom.xml"
    stamp = target / ".pom-sha256"
    digest = hashlib.sha256(pom.read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    say(f"fetching {name} jars from Maven Central into {target} (once)")
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    log = STATE / "logs" / f"fetch-{name}.log"
    cmd = ["mvn", f"--settings={REPO / '.mvn' / 'settings.xml'}", "-B", "--no-transfer-progress",
           "-f", str(pom), "dependency:copy-dependencies", f"-DoutputDirectory={target}"]
    with open(log, "w") as out:
        rc = subprocess.call(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=REPO)
    if rc != 0:
        raise StackError(f"fetching {name} jars failed (exit {rc}); see {log}")
    stamp.write_text(digest)


def classpath(directory):
    return f"{directory}/*"


# ---------------------------------------------------------------------------------------------
# Processes


def pid_file(name):
    return STATE / "run" / f"{name}.pid"


def running_pid(name):
    """The PID of a server this stack started and that is still alive, or None."""
    f = pid_file(name)
    if not f.exists():
        return None
    try:
        pid = int(f.read_text().strip())
        os.kill(pid, 0)
    except (ValueError, ProcessLookupError, PermissionError):
        f.unlink(missing_ok=True)
        return None
    # A recycled PID would belong to someone else: check it is still our command line.
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    if str(STATE).encode() not in cmdline:
        # Airflow renames its processes (setproctitle overwrites argv and environ); they still run
        # in the state directory, where launch started them.
        try:
            cwd = os.readlink(f"/proc/{pid}/cwd")
        except OSError:
            cwd = ""
        if cwd != str(STATE):
            f.unlink(missing_ok=True)
            return None
    return pid


def require_free(name, *port_numbers):
    """Fails before launching when another process already listens on one of the ports."""
    require_free_at(name, HOST, *port_numbers)


def require_free_at(name, address, *port_numbers):
    for p in port_numbers:
        if port_open(p, address):
            raise StackError(f"port {p} on {address}, needed by {name}, is already in use by a process "
                             f"this stack did not start (another userstream checkout?); stop it or "
                             f"move {name} with the USERSTREAM_*_PORT variables")


def launch(name, cmd, env=None):
    log = STATE / "logs" / f"{name}.log"
    full_env = dict(os.environ)
    full_env.update(env or {})
    with open(log, "ab") as out:
        out.write(f"\n==== {time.strftime('%Y-%m-%d %H:%M:%S')} starting {name}\n".encode())
        out.flush()
        # A session of its own: down can stop the server and any child it spawned (Spark
        # executors) by this one process group, and nothing else.
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=full_env,
                                start_new_session=True, cwd=STATE)
    pid_file(name).write_text(str(proc.pid))
    return proc, log


def template(name, **values):
    """infra/templates/<name> with its $names filled in (a name left unfilled is an error)."""
    return string.Template((INFRA / "templates" / name).read_text()).substitute(values)


def port_open(port_number, address=HOST):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex((address, port_number)) == 0


def wait_ready(name, proc, log, marker, port_number, timeout, address=HOST):
    """Polls until `marker` is in the log since start and the port accepts connections."""
    # Search from this launch's banner (written before the server started), so a marker left by
    # an earlier run of the same server in the same log never passes for this one's.
    text_from = max(0, log.read_bytes().rfind(f" starting {name}\n".encode()))
    deadline = time.monotonic() + timeout
    last_report = time.monotonic()
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise StackError(f"{name} exited with status {proc.returncode} while starting; "
                             f"last lines of {log}:\n{tail(log)}")
        with open(log, "rb") as f:
            f.seek(text_from)
            seen = marker.encode() in f.read()
        if seen and port_open(port_number, address):
            return
        if time.monotonic() - last_report > 10:
            say(f"  still waiting for {name} ({int(deadline - time.monotonic())} s left)")
            last_report = time.monotonic()
        time.sleep(0.25)
    raise StackError(f"{name} not ready after {timeout} s (waiting for '{marker}' and port "
                     f"{port_number}); see {log}:\n{tail(log)}")


def tail(log, lines=15):
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def stop(name, timeout=45, kill=False):
    pid = running_pid(name)
    if pid is None:
        return False
    say(f"{'killing' if kill else 'stopping'} {name} (pid {pid})")
    try:
        os.killpg(pid, signal.SIGKILL if kill else STOP_SIGNALS.get(name, signal.SIGTERM))
    except ProcessLookupError:
        pass
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        if Path(f"/proc/{pid}/stat").exists() and " Z " in Path(f"/proc/{pid}/stat").read_text():
            break
        time.sleep(0.2)
    else:
        say(f"{name} did not stop within {timeout} s; killing it")
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    pid_file(name).unlink(missing_ok=True)
    return True


# ---------------------------------------------------------------------------------------------
# Cluster mode: USERSTREAM_NODES=3 runs three Kafka brokers (each also a voter of the KRaft
# controller quorum) on the next ports up, and three Cassandra nodes on loopback addresses of their
# own (127.0.0.2-127.0.0.4: a Cassandra cluster shares one storage port), each node with its own
# state and log. Replication factor 3 everywhere, min.insync.replicas 2, the keyspace on
# NetworkTopologyStrategy; writes at LOCAL_QUORUM (the pipelines' default) survive one node down.


def nodes():
    """How many Kafka brokers and Cassandra nodes: USERSTREAM_NODES, else those of the stack that
    runs now (so env, status and stop agree with the up that started it), else one."""
    chosen = os.environ.get("USERSTREAM_NODES")
    running = running_nodes()
    if chosen is None:
        return running or 1
    if chosen not in ("1", "3"):
        raise StackError(f"USERSTREAM_NODES must be 1 or 3, not '{chosen}'")
    if running and running != int(chosen):
        raise StackError(f"a stack of {running} node(s) runs now (USERSTREAM_NODES={running}); stop it first "
                         f"(python3 infra/stack.py down), or leave USERSTREAM_NODES unset")
    return int(chosen)


def running_nodes():
    """The node count of the Kafka or Cassandra processes running now, or None."""
    if any(running_pid(f"{kind}-{i}") for kind in ("kafka", "cassandra") for i in (1, 2, 3)):
        return 3
    if running_pid("kafka") or running_pid("cassandra"):
        return 1
    return None


def node_names(kind, count=None):
    """The processes of Kafka or Cassandra: "kafka" alone, or "kafka-1".."kafka-3"."""
    count = count or nodes()
    return [kind] if count == 1 else [f"{kind}-{i}" for i in range(1, count + 1)]


def kafka_ports(index):
    """Broker and controller port of broker `index` (0-based): 19092/19093, then 19094/19095, ..."""
    return port("USERSTREAM_KAFKA_PORT") + 2 * index, port("USERSTREAM_KAFKA_CONTROLLER_PORT") + 2 * index


def cassandra_address(index):
    """A single node listens on 127.0.0.1; cluster node `index` (0-based) on 127.0.0.(2 + index)."""
    return HOST if nodes() == 1 else f"127.0.0.{2 + index}"


def cassandra_jmx_port(index):
    return port("USERSTREAM_CASSANDRA_JMX_PORT") + index


def replication_factor():
    return 3 if nodes() == 3 else 1


def cassandra_replication():
    """The keyspace's replication: one copy on a single node; three, by datacenter, on the cluster."""
    if nodes() == 1:
        return "{'class': 'SimpleStrategy', 'replication_factor': 1}"
    return "{'class': 'NetworkTopologyStrategy', 'datacenter1': 3}"


def kafka_bootstrap():
    return ",".join(f"{HOST}:{kafka_ports(i)[0]}" for i in range(nodes()))


def cassandra_contact_points():
    return ",".join(f"{cassandra_address(i)}:{port('USERSTREAM_CASSANDRA_PORT')}" for i in range(nodes()))


# ---------------------------------------------------------------------------------------------
# Kafka (KRaft: one combined broker + controller, or three)


def kafka_up():
    """Starts every broker not running (all of them on a fresh stack, or one a fault test stopped)."""
    names = node_names("kafka")
    if all(running_pid(n) for n in names):
        say("kafka already running")
        return
    lib = STATE / "lib" / "kafka"
    fetch("kafka", lib)
    count = len(names)
    voters = ",".join(f"{i + 1}@{HOST}:{kafka_ports(i)[1]}" for i in range(count))
    # One cluster id for every broker of the cluster, kept with the state.
    cluster_id_file = STATE / ("kafka" if count == 1 else "kafka-cluster") / "cluster.id"
    cluster_id_file.parent.mkdir(parents=True, exist_ok=True)
    if not cluster_id_file.exists():
        # As Kafka's Uuid.randomUuid(): an id starting with "-" would read as an option (1 in 64).
        cluster_id = "-"
        while cluster_id.startswith("-"):
            cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        cluster_id_file.write_text(cluster_id)
    cluster_id = cluster_id_file.read_text().strip()
    launched = []
    for index, name in enumerate(names):
        if running_pid(name):
            continue
        home = STATE / name
        data = home / "data"
        home.mkdir(parents=True, exist_ok=True)
        kport, cport = kafka_ports(index)
        props = home / "server.properties"
        props.write_text(template(
            "kafka-server.properties", node_id=index + 1, voters=voters, host=HOST, port=kport,
            controller_port=cport, data=data, partitions=setting("USERSTREAM_TOPIC_PARTITIONS"),
            replication_factor=replication_factor(), min_insync_replicas=min(2, replication_factor()),
            max_message_bytes=MAX_MESSAGE_BYTES))
        log4j = home / "log4j2.properties"
        log4j.write_text(template("log4j2.properties", level="INFO"))
        heap = "768m" if count == 1 else "512m"
        base = [java(), "-Xms256m", f"-Xmx{heap}", f"-Dlog4j2.configurationFile={log4j}", "-cp", classpath(lib)]
        if not (data / "meta.properties").exists():
            say(f"formatting {name} storage (cluster id {cluster_id})")
            out = subprocess.run(base + ["kafka.tools.StorageTool", "format", "-t", cluster_id,
                                         "-c", str(props)], capture_output=True, text=True)
            if out.returncode != 0:
                raise StackError(f"{name} storage format failed:\n{out.stdout}\n{out.stderr}")
        require_free(name, kport, cport)
        say(f"starting {name} on {HOST}:{kport}")
        launched.append((name, kport, *launch(name, base + ["kafka.Kafka", str(props)])))
    # Brokers of a quorum wait for each other's votes: all are launched, then awaited.
    for name, kport, proc, log in launched:
        wait_ready(name, proc, log, "Kafka Server started", kport, 120)
        say(f"{name} ready")
    create_topics()


def create_topics(topics=TOPICS):
    lib = STATE / "lib" / "kafka"
    bootstrap = kafka_bootstrap()
    log4j = STATE / node_names("kafka")[0] / "log4j2.properties"
    for topic in topics:
        # The replication factor and min.insync.replicas are the brokers' defaults (1, or 3 and 2).
        out = subprocess.run(
            [java(), "-Xmx256m", f"-Dlog4j2.configurationFile={log4j}",
             "-cp", classpath(lib), "org.apache.kafka.tools.TopicCommand", "--bootstrap-server", bootstrap,
             "--create", "--if-not-exists", "--topic", topic,
             "--partitions", setting("USERSTREAM_TOPIC_PARTITIONS"),
             "--config", f"max.message.bytes={MAX_MESSAGE_BYTES}"],
            capture_output=True, text=True)
        if out.returncode != 0:
            raise StackError(f"creating topic {topic} failed:\n{out.stdout}\n{out.stderr}")
    say(f"topics {', '.join(topics)} exist ({setting('USERSTREAM_TOPIC_PARTITIONS')} partitions each, "
        f"replication factor {replication_factor()})")




# ---------------------------------------------------------------------------------------------
# Cassandra (one node, or three)


def cassandra_up():
    """Starts every node not running, one after the other (a node joins a ring that has settled)."""
    names = node_names("cassandra")
    if all(running_pid(n) for n in names):
        say("cassandra already running")
        return
    lib = STATE / "lib" / "cassandra"
    fetch("cassandra", lib)
    jamm = next(lib.glob("jamm-*.jar"), None)
    if jamm is None:
        raise StackError(f"jamm jar missing from {lib}; delete it and run up again")
    cql_port, storage_port = port("USERSTREAM_CASSANDRA_PORT"), port("USERSTREAM_CASSANDRA_STORAGE_PORT")
    # Every node is a seed: none bootstraps (streams data from the others) when the cluster is new.
    seeds = ",".join(f"{cassandra_address(i)}:{storage_port}" for i in range(len(names)))
    for index, name in enumerate(names):
        if running_pid(name):
            continue
        home = STATE / name
        for d in ["data", "commitlog", "saved_caches", "hints", "cdc_raw"]:
            (home / d).mkdir(parents=True, exist_ok=True)
        address = cassandra_address(index)
        yaml = home / "cassandra.yaml"
        yaml.write_text(template("cassandra.yaml", host=address, seeds=seeds, storage_port=storage_port,
                                 cql_port=cql_port, home=home))
        logback = home / "logback.xml"
        logback.write_text(template("cassandra-logback.xml"))
        heap = "1g" if len(names) == 1 else "768m"
        # Its GC pauses, with each pause's phases and CPU time (User against Real shows a collector
        # starved of CPU): a pause stalls every request in flight.
        gc_log = f"-Xlog:gc*:file={STATE / 'logs' / f'{name}-gc.log'}:time,uptime:filecount=3,filesize=10m"
        # G1 as Cassandra's jvm17-server.options sets it (an object that outlives one young collection
        # is promoted at once, rather than copied up to 15 times), with a pause target for a node that
        # answers look-ups (50 ms, not its 300): under the benchmark's load the median pause fell from
        # 38 to 24-29 ms and the 90th percentile from 114 to 60-68 ms (docs/PERFORMANCE.md).
        g1 = ["-XX:+UseG1GC", "-XX:MaxTenuringThreshold=1", "-XX:+ParallelRefProcEnabled",
              "-XX:G1RSetUpdatingPauseTimePercent=5", "-XX:MaxGCPauseMillis=50"]
        cmd = [java(), f"-Xms{heap}", f"-Xmx{heap}"] + g1 + ["-Xss256k", gc_log,
               f"-javaagent:{jamm}"] + CASSANDRA_JVM17 + [
            f"-Dcassandra.config=file://{yaml}",
            f"-Dcassandra.storagedir={home}",
            f"-Dcassandra.logdir={STATE / 'logs'}",
            f"-Dlogback.configurationFile={logback}",
            "-Dcassandra-foreground=yes",
            f"-Dcassandra.jmx.local.port={cassandra_jmx_port(index)}",
            # A fresh single node need not wait for a ring to settle: ~45 s -> ~12 s.
            "-Dcassandra.ring_delay_ms=1000",
            # The console shows Cassandra's row estimate (system.table_estimates): refresh it each
            # minute rather than every five.
            "-Dcassandra.size_recorder_interval=60",
            "-Dcassandra.skip_wait_for_gossip_to_settle=0",
            "-Djava.net.preferIPv4Stack=true",
            # The default role (replaced at once by ours, see secure_cassandra) without the 10 s wait.
            "-Dcassandra.superuser_setup_delay_ms=0",
            "-cp", classpath(lib), "org.apache.cassandra.service.CassandraDaemon",
        ]
        require_free_at(name, address, cql_port, storage_port)
        require_free(name, cassandra_jmx_port(index))
        say(f"starting {name} on {address}:{cql_port}")
        proc, log = launch(name, cmd)
        wait_ready(name, proc, log, "Starting listening for CQL clients", cql_port, 180, address=address)
    secure_cassandra()
    say("cassandra ready")
    apply_schema()


CASSANDRA_USER = "userstream"


def cassandra_login_env():
    """How Java tools log in: the user and the password file, by environment (never on a command line)."""
    return {"USERSTREAM_CASSANDRA_USER": CASSANDRA_USER,
            "USERSTREAM_CASSANDRA_PASSWORD_FILE": str(secret_file("cassandra.password"))}


def secure_cassandra():
    """Password authentication with the project's own role; the default cassandra role is locked."""
    out = subprocess.run(
        [java(), "-cp", str(bundled_jar()), "dev.userstream.tools.SecureCassandra",
         f"--cassandraHosts={cassandra_contact_points()}", f"--systemReplication={cassandra_replication()}"],
        capture_output=True, text=True, env={**os.environ, **cassandra_login_env()})
    if out.returncode != 0:
        raise StackError(f"setting up Cassandra's login failed:\n{out.stdout}\n{out.stderr}")


SPARK_JAR = REPO / "runners" / "spark" / "target" / "userstream-spark-bundled.jar"
FLINK_JAR = REPO / "runners" / "flink" / "target" / "userstream-flink-bundled.jar"
BENCH_JAR = INFRA / "bench" / "target" / "userstream-bench.jar"


def bench_classpath():
    """The product's Spark jar and, beside it, infra/bench's (the benchmark and the sample producers)."""
    for jar in (SPARK_JAR, BENCH_JAR):
        if not jar.exists():
            raise StackError(f"{jar.relative_to(REPO)} is missing: build first (make build)")
    return f"{SPARK_JAR}{os.pathsep}{BENCH_JAR}"


def bundled_jar():
    jars = sorted((REPO / "runners" / "direct" / "target").glob("userstream-direct-bundled.jar"))
    if not jars:
        raise StackError("runners/direct/target/userstream-direct-bundled.jar is missing: build first "
                         "(make build, or mvn -DskipTests package)")
    return jars[0]


# The streaming and ingestion jobs start from a class-data sharing (AppCDS) archive of the bundled
# jar: the JVM maps the classes it would otherwise find, parse and verify one by one, which halves
# the job's start (docs/PERFORMANCE.md). The archive is dumped from the class list a real job
# loaded (runners/spark/cds/stream-job.classlist, `make job-classlist` refreshes it), once per build
# of the jar; a JVM given an archive of another build of the jar ignores it and starts as usual.
JOB_CLASSLIST = REPO / "runners" / "spark" / "cds" / "stream-job.classlist"


def job_class_archive_path():
    """Where the archive of the jar as built now goes (its name changes with the jar, the class
    list and the JVM), or None without a jar to make it from."""
    if not SPARK_JAR.exists() or not JOB_CLASSLIST.exists():
        return None
    jar = SPARK_JAR.stat()
    key = hashlib.sha256(f"{jar.st_size}:{jar.st_mtime_ns}:{java()}:{JOB_CLASSLIST.stat().st_mtime_ns}".encode())
    return STATE / "cds" / f"{SPARK_JAR.stem}-{key.hexdigest()[:16]}.jsa"


def job_class_archive():
    """Dumps the jobs' class-data archive when the jar has changed since the last one (about 15 s)."""
    archive = job_class_archive_path()
    if archive is None or archive.exists():
        return
    archive.parent.mkdir(parents=True, exist_ok=True)
    for old in archive.parent.glob("*.jsa"):
        old.unlink()
    say("dumping the jobs' class-data archive (once per build of the jar)")
    partial = archive.with_suffix(".partial")
    log = STATE / "logs" / "job-class-archive.log"
    with open(log, "w") as out:
        done = subprocess.run([java(), "-Xshare:dump", f"-XX:SharedClassListFile={JOB_CLASSLIST}",
                               f"-XX:SharedArchiveFile={partial}", "-cp", str(SPARK_JAR)],
                              stdout=out, stderr=subprocess.STDOUT, check=False)
    if done.returncode != 0 or not partial.exists():
        # Not fatal: the jobs start without it, only slower.
        say(f"the class-data archive could not be dumped (see {log}); the jobs start without it")
        partial.unlink(missing_ok=True)
        return
    partial.rename(archive)


def job_java_options(class_archive=True):
    """The JVM options of a job run from the bundled jar: Java 17's opens, loopback-only Spark, and
    the class-data archive when there is one for this build of the jar."""
    archive = job_class_archive_path() if class_archive else None
    shared = [f"-XX:SharedArchiveFile={archive}"] if archive and archive.exists() else []
    return [*JAVA17_OPENS, "-Dspark.driver.host=127.0.0.1", "-Dspark.driver.bindAddress=127.0.0.1", *shared]


# The read API's role: it may only read the profiles table (ApplySchema grants it).
CASSANDRA_READER = "userstream_reader"
CASSANDRA_READER_SECRET = "cassandra-reader.password"


def apply_schema():
    keyspace = setting("USERSTREAM_KEYSPACE")
    out = subprocess.run(
        [java(), "-cp", str(bundled_jar()), "dev.userstream.tools.ApplySchema",
         f"--cassandraHosts={cassandra_contact_points()}", f"--cassandraKeyspace={keyspace}",
         f"--replication={cassandra_replication()}",
         f"--readerRole={CASSANDRA_READER}", f"--readerPasswordFile={secret_file(CASSANDRA_READER_SECRET)}"],
        capture_output=True, text=True, env={**os.environ, **cassandra_login_env()})
    if out.returncode != 0:
        raise StackError(f"applying infra/cassandra/schema.cql failed:\n{out.stdout}\n{out.stderr}")
    say(f"schema applied (keyspace {keyspace})")


# ---------------------------------------------------------------------------------------------
# Spark standalone (master + one worker)


def spark_home():
    return STATE / "spark"


def spark_env():
    return {"SPARK_HOME": str(spark_home()), "SPARK_LOCAL_IP": HOST, "SPARK_SCALA_VERSION": "2.12",
            "SPARK_LOG_DIR": str(STATE / "logs")}


def spark_up():
    home = spark_home()
    fetch("spark", home / "jars")
    (home / "conf").mkdir(parents=True, exist_ok=True)
    log4j = home / "conf" / "log4j2.properties"
    log4j.write_text(template("log4j2.properties", level="INFO"))
    base = [java(), "-Xms256m", "-Xmx512m", f"-Dlog4j2.configurationFile={log4j}"] + JAVA17_OPENS + [
        "-cp", classpath(home / "jars")]
    master_port = port("USERSTREAM_SPARK_MASTER_PORT")
    if running_pid("spark-master"):
        say("spark master already running")
    else:
        require_free("spark-master", master_port, port("USERSTREAM_SPARK_MASTER_UI_PORT"))
        say(f"starting spark master on spark://{HOST}:{master_port}")
        proc, log = launch("spark-master", base + [
            "org.apache.spark.deploy.master.Master", "--host", HOST, "--port", str(master_port),
            "--webui-port", setting("USERSTREAM_SPARK_MASTER_UI_PORT")], env=spark_env())
        wait_ready("spark-master", proc, log, "I have been elected leader", master_port, 90)
        say("spark master ready")
    if running_pid("spark-worker"):
        say("spark worker already running")
    else:
        work = home / "work"
        work.mkdir(exist_ok=True)
        worker_port = port("USERSTREAM_SPARK_WORKER_PORT")
        require_free("spark-worker", worker_port, port("USERSTREAM_SPARK_WORKER_UI_PORT"))
        say(f"starting spark worker on {HOST}:{worker_port}")
        proc, log = launch("spark-worker", base + [
            "org.apache.spark.deploy.worker.Worker", "--host", HOST, "--port", str(worker_port),
            "--webui-port", setting("USERSTREAM_SPARK_WORKER_UI_PORT"),
            "--cores", setting("USERSTREAM_SPARK_WORKER_CORES"),
            "--memory", setting("USERSTREAM_SPARK_WORKER_MEMORY"),
            "--work-dir", str(work), f"spark://{HOST}:{master_port}"], env=spark_env())
        wait_ready("spark-worker", proc, log, "Successfully registered with master", worker_port, 90)
        say("spark worker ready")


# ---------------------------------------------------------------------------------------------
# Flink (a session cluster: one JobManager, one TaskManager)


def flink_home():
    return STATE / "flink"


def flink_memory_options(kind, conf):
    """The JVM options and the memory settings that Flink's start scripts compute for a JobManager
    or TaskManager (`kind` JM or TM) from its configuration, as those scripts do: without them a
    TaskManager refuses to start."""
    out = subprocess.run([java(), *JAVA17_OPENS, "-cp", classpath(flink_home() / "jars"),
                          "org.apache.flink.runtime.util.bash.BashJavaUtils", f"GET_{kind}_RESOURCE_PARAMS",
                          "--configDir", str(conf)], capture_output=True, text=True, check=False)
    prefix = "BASH_JAVA_UTILS_EXEC_RESULT:"
    results = [line[len(prefix):] for line in out.stdout.splitlines() if line.startswith(prefix)]
    if out.returncode != 0 or len(results) < 2:
        raise StackError(f"Flink could not size its {kind} memory from {conf / 'config.yaml'}:\n"
                         f"{(out.stdout + out.stderr)[-2000:]}")
    return results[0].split(), results[1].split()


def flink_up():
    home = flink_home()
    fetch("flink", home / "jars")
    conf = home / "conf"
    conf.mkdir(parents=True, exist_ok=True)
    (home / "tmp").mkdir(exist_ok=True)
    ui_port, rpc_port = port("USERSTREAM_FLINK_UI_PORT"), port("USERSTREAM_FLINK_RPC_PORT")
    tm_rpc_port = port("USERSTREAM_FLINK_TASKMANAGER_RPC_PORT")
    (conf / "config.yaml").write_text(template(
        "flink-config.yaml", host=HOST, rpc_port=rpc_port, ui_port=ui_port, blob_port=port("USERSTREAM_FLINK_BLOB_PORT"),
        taskmanager_rpc_port=tm_rpc_port, taskmanager_data_port=port("USERSTREAM_FLINK_TASKMANAGER_DATA_PORT"),
        slots=setting("USERSTREAM_FLINK_SLOTS"), taskmanager_memory=setting("USERSTREAM_FLINK_TASKMANAGER_MEMORY"),
        tmp_dir=home / "tmp", query_ports=f"{port('USERSTREAM_FLINK_QUERY_PORT')}-{port('USERSTREAM_FLINK_QUERY_PORT') + 1}"))
    log4j = conf / "log4j2.properties"
    log4j.write_text(template("log4j2.properties", level="INFO"))
    base = [f"-Dlog4j2.configurationFile={log4j}", *JAVA17_OPENS, "-cp", classpath(home / "jars")]
    # The JobManager first: the TaskManager registers with it.
    for name, kind, main, ports, marker, ready_port in [
        ("flink-jobmanager", "JM", "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint",
         [ui_port, rpc_port, port("USERSTREAM_FLINK_BLOB_PORT")], "Rest endpoint listening at", ui_port),
        ("flink-taskmanager", "TM", "org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
         [tm_rpc_port, port("USERSTREAM_FLINK_TASKMANAGER_DATA_PORT")], "Successful registration at resource manager",
         tm_rpc_port)]:
        if running_pid(name):
            say(f"{name} already running")
            continue
        require_free(name, *ports)
        jvm, settings = flink_memory_options(kind, conf)
        say(f"starting {name}" + (f", web UI on http://{HOST}:{ui_port}" if kind == "JM"
                                   else f" ({setting('USERSTREAM_FLINK_SLOTS')} slots)"))
        proc, log = launch(name, [java(), *jvm, *base, main, "--configDir", str(conf), *settings])
        wait_ready(name, proc, log, marker, ready_port, 120)
        say(f"{name} ready")


# ---------------------------------------------------------------------------------------------
# PostgreSQL (the staging database)

PG_USER = "userstream"
PG_DATABASE = "userstream"


def postgres_bin():
    """The server binaries: USERSTREAM_PG_BIN, or the newest Debian postgresql-15+ install."""
    configured = os.environ.get("USERSTREAM_PG_BIN")
    candidates = [Path(configured)] if configured else sorted(
        Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0)
    for bindir in reversed(candidates):
        if (bindir / "postgres").exists() and (not bindir.parent.name.isdigit() or int(bindir.parent.name) >= 15):
            return bindir
    raise StackError("PostgreSQL 15+ server binaries not found (apt-get install postgresql-15, "
                     "or set USERSTREAM_PG_BIN to the directory holding postgres and initdb)")


def as_unprivileged(cmd):
    """PostgreSQL refuses to run as root. Invoked as root, run it in a user namespace under the
    postgres (or nobody) uid: it has no capabilities there, while the state directory, which may
    sit in a root-only folder such as a mktemp checkout, stays reachable."""
    if os.geteuid() != 0:
        return cmd
    try:
        user = pwd.getpwnam("postgres")
    except KeyError:
        user = pwd.getpwnam("nobody")
    return ["unshare", "--user", f"--map-user={user.pw_uid}", f"--map-group={user.pw_gid}"] + cmd


def write_secret(path, content):
    """Writes a new file only its owner can read: mode 600 from its creation, in a 700 directory."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(content)


def secret_file(name, make=lambda: secrets.token_urlsafe(24)):
    """A secret (by default a generated password) made at first use and kept in the state
    directory's secrets/, mode 600; never printed."""
    f = STATE / "secrets" / name
    if not f.exists():
        write_secret(f, make())
    return f


def postgres_password():
    return secret_file("postgres.password").read_text().strip()


def postgres_up():
    if running_pid("postgres"):
        say("postgres already running")
        return
    bindir = postgres_bin()
    home = STATE / "postgres"
    data = home / "data"
    home.mkdir(parents=True, exist_ok=True)
    pg_port = port("USERSTREAM_POSTGRES_PORT")
    password = postgres_password()
    if not (data / "PG_VERSION").exists():
        say(f"initialising PostgreSQL in {data} (password authentication, user {PG_USER})")
        pwfile = STATE / "secrets" / "initdb.pw"
        pwfile.unlink(missing_ok=True)
        write_secret(pwfile, password)
        try:
            out = subprocess.run(as_unprivileged([str(bindir / "initdb"), "-D", str(data), "-U", PG_USER,
                                                  "--auth=scram-sha-256", f"--pwfile={pwfile}",
                                                  "-E", "UTF8", "--locale=C"]),
                                 capture_output=True, text=True)
        finally:
            pwfile.unlink(missing_ok=True)
        if out.returncode != 0:
            raise StackError(f"initdb failed:\n{out.stdout}\n{out.stderr}")
    require_free("postgres", pg_port)
    say(f"starting postgres on {HOST}:{pg_port}")
    # No Unix socket: clients use TCP with the password, and deep state paths would overflow
    # the socket path limit.
    proc, log = launch("postgres", as_unprivileged([
        str(bindir / "postgres"), "-D", str(data), "-c", f"listen_addresses={HOST}", "-p", str(pg_port),
        "-c", "unix_socket_directories=", "-c", "max_connections=50",
        # Room for a 200,000-user staging table in memory, and no checkpoints in the middle of a
        # bulk ingest (the defaults, 128MB and 1GB, checkpoint every few hundred thousand users).
        "-c", "shared_buffers=512MB", "-c", "max_wal_size=4GB", "-c", "checkpoint_timeout=15min"]))
    wait_ready("postgres", proc, log, "database system is ready to accept connections", pg_port, 60)
    say("postgres ready")
    apply_postgres_schema()


def psql(database, *args, check=True):
    env = dict(os.environ, PGPASSWORD=postgres_password())
    out = subprocess.run(["psql", "-h", HOST, "-p", str(port("USERSTREAM_POSTGRES_PORT")), "-U", PG_USER,
                          "-d", database, "-v", "ON_ERROR_STOP=1", "-qAt", *args],
                         capture_output=True, text=True, env=env)
    if check and out.returncode != 0:
        raise StackError(f"psql {' '.join(args)} failed:\n{out.stdout}\n{out.stderr}")
    return out.stdout.strip()


def apply_postgres_schema():
    if not shutil.which("psql"):
        raise StackError("psql not found (apt-get install postgresql-client)")
    if psql("postgres", "-c", f"SELECT 1 FROM pg_database WHERE datname = '{PG_DATABASE}'") != "1":
        psql("postgres", "-c", f"CREATE DATABASE {PG_DATABASE}")
    psql(PG_DATABASE, "-f", str(INFRA / "postgres" / "schema.sql"))
    say(f"schema applied (database {PG_DATABASE}, staging.raw_users)")


# ---------------------------------------------------------------------------------------------
# The project's own servers: the randomuser.me emulator, the schema registry, the console


def jar_server_up(name, what, module, port_name, ready_line, args, url_path="/"):
    """Starts one of the project's own servers (infra/<module>, a bundled jar) on 127.0.0.1."""
    if running_pid(name):
        say(f"{what} already running")
        return
    jar = INFRA / module / "target" / f"userstream-{module}-bundled.jar"
    if not jar.exists():
        raise StackError(f"{jar} is missing: build first (make build, or mvn -DskipTests package)")
    server_port = port(port_name)
    require_free(what, server_port)
    say(f"starting the {what} on http://{HOST}:{server_port}{url_path}")
    # -Duserstream.state puts the state directory on the command line, which is how running_pid
    # tells this process from an unrelated one that got the same PID.
    proc, log = launch(name, [java(), "-Xmx256m", f"-Duserstream.state={STATE}", "-jar", str(jar),
                              f"--port={server_port}", *args])
    wait_ready(name, proc, log, ready_line, server_port, 60)
    say(f"{what} ready: http://{HOST}:{server_port}{url_path}")


def emulator_up():
    jar_server_up("emulator", "randomuser.me emulator", "emulator", "USERSTREAM_EMULATOR_PORT", "emulator listening",
                  [], "/api/")


# Schema registry (infra/registry): Confluent's REST API for JSON Schema, state in Kafka's _schemas
def registry_up():
    jar_server_up("registry", "schema registry", "registry", "USERSTREAM_REGISTRY_PORT", "schema registry listening",
                  [f"--kafkaBootstrapServers={kafka_bootstrap()}"])


# Read API over the stored profiles (infra/profiles-api), logged in as the read-only role
def profiles_api_up():
    ep = endpoints()
    jar_server_up("profiles-api", "profiles API", "profiles-api", "USERSTREAM_PROFILES_API_PORT",
                  "profiles API listening", [
                      f"--cassandraHosts={ep['USERSTREAM_CASSANDRA']}",
                      f"--cassandraKeyspace={setting('USERSTREAM_KEYSPACE')}",
                      f"--cassandraUser={CASSANDRA_READER}",
                      f"--cassandraPasswordFile={secret_file(CASSANDRA_READER_SECRET)}",
                      f"--cursorKeyFile={secret_file('profiles-api-cursor.key', lambda: secrets.token_urlsafe(32))}"],
                  "/profiles")


# Monitoring console (infra/console)
def console_up():
    ep = endpoints()
    jar_server_up("console", "console", "console", "USERSTREAM_CONSOLE_PORT", "console listening", [
        f"--kafkaBootstrapServers={ep['USERSTREAM_KAFKA']}", f"--cassandraHosts={ep['USERSTREAM_CASSANDRA']}",
        f"--cassandraKeyspace={setting('USERSTREAM_KEYSPACE')}", f"--postgresUrl={ep['USERSTREAM_POSTGRES_URL']}",
        f"--postgresUser={PG_USER}", f"--postgresPasswordFile={ep['USERSTREAM_POSTGRES_PASSWORD_FILE']}",
        f"--cassandraUser={ep['USERSTREAM_CASSANDRA_USER']}",
        f"--cassandraPasswordFile={ep['USERSTREAM_CASSANDRA_PASSWORD_FILE']}",
        f"--schemaRegistryUrl={ep['USERSTREAM_SCHEMA_REGISTRY']}", f"--sparkUi={ep['USERSTREAM_SPARK_UI']}",
        f"--flinkUi={ep['USERSTREAM_FLINK_UI']}",
        f"--airflowUi=http://{HOST}:{port('USERSTREAM_AIRFLOW_PORT')}", f"--profilesApi={ep['USERSTREAM_PROFILES_API']}"])


# ---------------------------------------------------------------------------------------------
# Airflow (airflow/.venv, made by make airflow-venv): API server and UI, scheduler, DAG processor,
# triggerer; metadata in the project's PostgreSQL (database airflow); LocalExecutor.

AIRFLOW_VENV = REPO / "airflow" / ".venv"
AIRFLOW_COMPONENTS = ["api-server", "scheduler", "dag-processor", "triggerer"]


def airflow_env():
    """Airflow's settings for the stack, and the Connections and Variables the DAGs read.

    Secrets reach Airflow as files (the *_CMD settings), not as values in the environment."""
    db_url = secret_file("airflow-db.url", lambda: (
        f"postgresql+psycopg2://{PG_USER}:{postgres_password()}@{HOST}:{port('USERSTREAM_POSTGRES_PORT')}/airflow"))
    jwt = secret_file("airflow-jwt.secret", lambda: secrets.token_urlsafe(48))
    api_key = secret_file("airflow-api.secret", lambda: secrets.token_urlsafe(48))
    api_port = port("USERSTREAM_AIRFLOW_PORT")
    ep = endpoints()
    return {
        # The Java jobs the DAGs run log in to Cassandra with these (see options/CassandraOptions).
        **cassandra_login_env(),
        "AIRFLOW_HOME": str(STATE / "airflow"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "airflow" / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__PARALLELISM": "4",  # LocalExecutor forks this many workers (default 32)
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://{HOST}:{api_port}/execution/",
        "AIRFLOW__API__HOST": HOST,
        "AIRFLOW__API__PORT": str(api_port),
        "AIRFLOW__API__BASE_URL": f"http://{HOST}:{api_port}",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_CMD": f"cat {db_url}",
        "AIRFLOW__API_AUTH__JWT_SECRET_CMD": f"cat {jwt}",
        "AIRFLOW__API__SECRET_KEY_CMD": f"cat {api_key}",
        "AIRFLOW_CONN_USERSTREAM_POSTGRES": json.dumps({
            "conn_type": "postgres", "host": HOST, "port": port("USERSTREAM_POSTGRES_PORT"), "login": PG_USER,
            "schema": PG_DATABASE, "extra": {"password_file": ep["USERSTREAM_POSTGRES_PASSWORD_FILE"]}}),
        "AIRFLOW_CONN_USERSTREAM_KAFKA": json.dumps(
            {"conn_type": "generic", "host": HOST, "port": port("USERSTREAM_KAFKA_PORT")}),
        "AIRFLOW_CONN_USERSTREAM_CASSANDRA": json.dumps(
            {"conn_type": "generic", "host": cassandra_address(0), "port": port("USERSTREAM_CASSANDRA_PORT")}),
        "AIRFLOW_CONN_USERSTREAM_SCHEMA_REGISTRY": json.dumps(
            {"conn_type": "http", "host": HOST, "port": port("USERSTREAM_REGISTRY_PORT")}),
        "AIRFLOW_CONN_USERSTREAM_PROFILES_API": json.dumps(
            {"conn_type": "http", "host": HOST, "port": port("USERSTREAM_PROFILES_API_PORT")}),
        "AIRFLOW_VAR_USERSTREAM_JAR": str(SPARK_JAR),
        "AIRFLOW_VAR_USERSTREAM_FLINK_JAR": str(FLINK_JAR),
        "AIRFLOW_VAR_USERSTREAM_API_URL": ep["USERSTREAM_API_URL"],
        "AIRFLOW_VAR_USERSTREAM_CHECKPOINT_DIR": str(STATE / "checkpoints"),
        # BeamRunJavaPipelineOperator runs plain `java -cp jar class`: the JVM flags Spark needs on
        # Java 17, loopback-only Spark and the class-data archive come through the environment
        # (JDK_JAVA_OPTIONS, which unlike JAVA_TOOL_OPTIONS reads @argfiles).
        "JDK_JAVA_OPTIONS": " ".join(job_java_options()),
        "SPARK_LOCAL_IP": HOST,
        "PATH": f"{Path(java()).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }


def airflow_cmd(*args):
    # -X pycache_prefix puts the state directory on the command line, which is how running_pid
    # tells our processes from unrelated ones (and keeps bytecode out of the checkout).
    return [str(AIRFLOW_VENV / "bin" / "python"), "-X", f"pycache_prefix={STATE / 'airflow' / 'pycache'}",
            str(AIRFLOW_VENV / "bin" / "airflow"), *args]


def airflow_cli(args):
    """The Airflow CLI with the stack's settings (metadata database, Connections, Variables)."""
    if not (AIRFLOW_VENV / ".installed").exists():
        raise StackError(f"{AIRFLOW_VENV} is missing: make airflow-venv")
    return subprocess.call([str(AIRFLOW_VENV / "bin" / "airflow"), *args], env={**os.environ, **airflow_env()})


def airflow_up():
    if all(running_pid(f"airflow-{c}") for c in AIRFLOW_COMPONENTS):
        say("airflow already running")
        return
    if not (AIRFLOW_VENV / ".installed").exists():
        raise StackError(f"{AIRFLOW_VENV} is missing: make airflow-venv")
    (STATE / "airflow").mkdir(parents=True, exist_ok=True)
    if psql("postgres", "-c", "SELECT 1 FROM pg_database WHERE datname = 'airflow'") != "1":
        psql("postgres", "-c", "CREATE DATABASE airflow")
    env = {**os.environ, **airflow_env()}
    say("migrating Airflow's metadata database (database airflow)")
    log = STATE / "logs" / "airflow-db-migrate.log"
    with open(log, "ab") as out:
        if subprocess.call(airflow_cmd("db", "migrate"), stdout=out, stderr=subprocess.STDOUT, env=env,
                           cwd=STATE) != 0:
            raise StackError(f"airflow db migrate failed; see {log}:\n{tail(log)}")
    api_port = port("USERSTREAM_AIRFLOW_PORT")
    for component in AIRFLOW_COMPONENTS:
        name = f"airflow-{component}"
        if running_pid(name):
            continue
        if component == "api-server":
            require_free(name, api_port)
        say(f"starting {name}")
        # The log servers of scheduler and triggerer would listen on every interface: skipped (the
        # API server reads task logs from the shared log folder).
        extra = ["--skip-serve-logs"] if component in ("scheduler", "triggerer") else []
        proc, log = launch(name, airflow_cmd(component, *extra), env=airflow_env())
        if component == "api-server":
            wait_ready(name, proc, log, "Application startup complete", api_port, 120)
    passwords = STATE / "airflow" / "simple_auth_manager_passwords.json.generated"
    # The file, never the password: this output ends up in CI logs and terminals' scrollback.
    say(f"airflow ready: UI http://{HOST}:{api_port}/ user admin, password in {passwords}")


# ---------------------------------------------------------------------------------------------
# Commands

SERVICES = {"postgres": postgres_up, "kafka": kafka_up, "cassandra": cassandra_up, "spark": spark_up, "flink": flink_up,
            "emulator": emulator_up, "registry": registry_up, "profiles-api": profiles_api_up, "airflow": airflow_up,
            "console": console_up}
# Every process the stack may have started, in the order down stops them; processes() is the
# current mode's.
PROCESSES = ["console", *(f"airflow-{c}" for c in reversed(AIRFLOW_COMPONENTS)), "profiles-api", "registry", "emulator",
             "flink-taskmanager", "flink-jobmanager", "spark-worker", "spark-master",
             "cassandra", "cassandra-3", "cassandra-2", "cassandra-1", "kafka", "kafka-3", "kafka-2", "kafka-1",
             "postgres"]


def processes():
    """The processes a stack of this node count runs."""
    mode = set(node_names("kafka") + node_names("cassandra"))
    return [p for p in PROCESSES if not (p.startswith(("kafka", "cassandra")) and p not in mode)]
# PostgreSQL's SIGTERM waits for every client to disconnect; SIGINT is its fast, clean shutdown.
STOP_SIGNALS = {"postgres": signal.SIGINT}


def endpoints():
    return {
        "USERSTREAM_HOME": str(STATE),
        "USERSTREAM_KAFKA": kafka_bootstrap(),
        "USERSTREAM_CASSANDRA": cassandra_contact_points(),
        # 1, or 3 in cluster mode; tests create their topics and keyspaces with as many replicas.
        "USERSTREAM_NODES": str(nodes()),
        "USERSTREAM_CASSANDRA_REPLICATION": cassandra_replication(),
        "USERSTREAM_SPARK_MASTER": f"spark://{HOST}:{port('USERSTREAM_SPARK_MASTER_PORT')}",
        "USERSTREAM_SPARK_UI": f"http://{HOST}:{setting('USERSTREAM_SPARK_MASTER_UI_PORT')}",
        "USERSTREAM_SPARK_HOME": str(spark_home()),
        # The Flink runner's --flinkMaster (the JobManager's REST endpoint) and web UI.
        "USERSTREAM_FLINK_MASTER": f"{HOST}:{port('USERSTREAM_FLINK_UI_PORT')}",
        "USERSTREAM_FLINK_UI": f"http://{HOST}:{port('USERSTREAM_FLINK_UI_PORT')}",
        "USERSTREAM_API_URL": f"http://{HOST}:{port('USERSTREAM_EMULATOR_PORT')}/api/",
        "USERSTREAM_SCHEMA_REGISTRY": f"http://{HOST}:{port('USERSTREAM_REGISTRY_PORT')}",
        "USERSTREAM_CONSOLE": f"http://{HOST}:{port('USERSTREAM_CONSOLE_PORT')}/",
        "USERSTREAM_PROFILES_API": f"http://{HOST}:{port('USERSTREAM_PROFILES_API_PORT')}",
        "USERSTREAM_POSTGRES_URL": f"jdbc:postgresql://{HOST}:{port('USERSTREAM_POSTGRES_PORT')}/{PG_DATABASE}",
        "USERSTREAM_POSTGRES_USER": PG_USER,
        "USERSTREAM_POSTGRES_PASSWORD_FILE": str(STATE / "secrets" / "postgres.password"),
        **cassandra_login_env(),
        # What a JVM running the Spark runner needs on Java 17 (tools and benchmarks read it).
        "USERSTREAM_JAVA_OPTS": " ".join(JAVA17_OPENS),
        # The same for a job run from the bundled jar, with its class-data archive (the benchmark reads it).
        "USERSTREAM_JOB_JAVA_OPTS": " ".join(job_java_options()),
    }


# What each service needs before it starts: its processes (a running one needs nothing), the ports
# they listen on, and the built files, binaries and virtualenvs they run from.
PREREQUISITES = {
    "postgres": (["postgres"], ["USERSTREAM_POSTGRES_PORT"]),
    # Kafka's and Cassandra's processes and ports depend on the node count: see node_ports.
    "kafka": ([], []),
    "cassandra": ([], []),
    "spark": (["spark-master", "spark-worker"], ["USERSTREAM_SPARK_MASTER_PORT", "USERSTREAM_SPARK_MASTER_UI_PORT",
                                                 "USERSTREAM_SPARK_WORKER_PORT", "USERSTREAM_SPARK_WORKER_UI_PORT"]),
    "flink": (["flink-jobmanager", "flink-taskmanager"],
              ["USERSTREAM_FLINK_UI_PORT", "USERSTREAM_FLINK_RPC_PORT", "USERSTREAM_FLINK_BLOB_PORT",
               "USERSTREAM_FLINK_TASKMANAGER_RPC_PORT", "USERSTREAM_FLINK_TASKMANAGER_DATA_PORT",
               "USERSTREAM_FLINK_QUERY_PORT"]),
    "emulator": (["emulator"], ["USERSTREAM_EMULATOR_PORT"]),
    "registry": (["registry"], ["USERSTREAM_REGISTRY_PORT"]),
    "airflow": ([f"airflow-{c}" for c in AIRFLOW_COMPONENTS], ["USERSTREAM_AIRFLOW_PORT"]),
    "profiles-api": (["profiles-api"], ["USERSTREAM_PROFILES_API_PORT"]),
    "console": (["console"], ["USERSTREAM_CONSOLE_PORT"]),
}


def node_ports(kind):
    """(process, address, port, setting) of every port Kafka's brokers or Cassandra's nodes listen on."""
    out = []
    for index, process in enumerate(node_names(kind)):
        if kind == "kafka":
            broker, controller = kafka_ports(index)
            out += [(process, HOST, broker, "USERSTREAM_KAFKA_PORT"),
                    (process, HOST, controller, "USERSTREAM_KAFKA_CONTROLLER_PORT")]
        else:
            address = cassandra_address(index)
            out += [(process, address, port("USERSTREAM_CASSANDRA_PORT"), "USERSTREAM_CASSANDRA_PORT"),
                    (process, address, port("USERSTREAM_CASSANDRA_STORAGE_PORT"), "USERSTREAM_CASSANDRA_STORAGE_PORT"),
                    (process, HOST, cassandra_jmx_port(index), "USERSTREAM_CASSANDRA_JMX_PORT")]
    return out


def preflight(names):
    """Every problem that would stop `up` part-way, found before anything starts: a missing build,
    binary or virtualenv, or a port another process holds."""
    problems = []

    def need_file(path, how):
        if not path.exists():
            problems.append(f"{path.relative_to(REPO) if path.is_relative_to(REPO) else path} is missing: {how}")

    for name in names:
        processes, port_names = PREREQUISITES[name]
        if name in ("kafka", "cassandra"):
            for process, address, port_number, port_name in node_ports(name):
                if not running_pid(process) and port_open(port_number, address):
                    problems.append(f"port {port_number} on {address} ({port_name}), needed by {process}, is in use"
                                    f" by a process this stack did not start; stop it or set {port_name}")
            continue
        if all(running_pid(p) for p in processes):
            continue
        for port_name in port_names:
            if port_open(port(port_name)) and not any(running_pid(p) for p in processes):
                problems.append(f"port {port(port_name)} ({port_name}), needed by {name}, is in use by a "
                                f"process this stack did not start; stop it or set {port_name}")
        if name == "postgres":
            try:
                postgres_bin()
            except StackError as e:
                problems.append(str(e))
            if not shutil.which("psql"):
                problems.append("psql not found (apt-get install postgresql-client-15; make up does it)")
        elif name == "cassandra":
            need_file(REPO / "runners" / "direct" / "target" / "userstream-direct-bundled.jar",
                      "build first (make build), it applies the schema and the login")
        elif name in ("emulator", "registry", "profiles-api", "console"):
            need_file(INFRA / name / "target" / f"userstream-{name}-bundled.jar", "build first (make build)")
        elif name == "airflow":
            need_file(AIRFLOW_VENV / ".installed", "make airflow-venv")
    if problems:
        raise StackError("cannot start the stack; nothing was started:\n  - " + "\n  - ".join(problems))


def up(names):
    for name in names or SERVICES:
        if name not in SERVICES:
            raise StackError(f"unknown service '{name}'; known: {', '.join(SERVICES)}")
    preflight([name for name in SERVICES if not names or name in names])
    started = time.monotonic()
    if not names or "airflow" in names:
        job_class_archive()  # before Airflow, whose environment names it
    for name in SERVICES:
        if not names or name in names:
            SERVICES[name]()
    say(f"up in {time.monotonic() - started:.0f} s; state and logs in {STATE}")
    for key, value in endpoints().items():
        say(f"  {key}={value}")


def down(names=(), kill=False):
    """Stops the named processes (all when none is named); "kafka" and "cassandra" name every node.
    kill: SIGKILL at once, as a crash would (the fault tests)."""
    wanted = set()
    for name in names:
        if name in ("kafka", "cassandra"):
            wanted.update(node_names(name))
        elif name in PROCESSES:
            wanted.add(name)
        else:
            raise StackError(f"unknown process '{name}'; known: {', '.join(processes())}")
    stopped = [name for name in PROCESSES if (not names or name in wanted) and stop(name, kill=kill)]
    say(f"{'killed' if kill else 'stopped'} {', '.join(stopped)}" if stopped else "nothing of this stack was running")


def session_memory_kib(pid):
    """Resident and peak resident memory (VmRSS, VmHWM) of the process and every process of its
    session (launch gives each server one: Spark's executors, Airflow's workers), in KiB."""
    rss = peak = 0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if int((proc / "stat").read_text().rsplit(")", 1)[1].split()[3]) != pid:
                continue
            for line in (proc / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss += int(line.split()[1])
                elif line.startswith("VmHWM:"):
                    peak += int(line.split()[1])
        except (OSError, IndexError, ValueError):
            continue
    return rss, peak


def status():
    """What runs, with each server's memory now and at its peak (its whole session), and the sums."""
    ok = True
    total_rss = total_peak = 0
    for name in reversed(processes()):
        pid = running_pid(name)
        ok = ok and pid is not None
        if pid:
            rss, peak = session_memory_kib(pid)
            total_rss, total_peak = total_rss + rss, total_peak + peak
            say(f"{name:22s} running, pid {pid:<8d} RSS {rss // 1024:6,d} MiB, peak {peak // 1024:6,d} MiB")
        else:
            say(f"{name:22s} stopped")
    say(f"{'all':22s} {'':22s} RSS {total_rss // 1024:6,d} MiB, peak {total_peak // 1024:6,d} MiB"
        f" ({nodes()} node(s) of Kafka and Cassandra)")
    return ok


def run_with_stack(command):
    """Runs command with the whole stack up; stops only the servers this call started."""
    if not command:
        raise StackError("usage: stack.py with -- COMMAND...")
    already = {name for name in PROCESSES if running_pid(name)}
    try:
        up([])
        env = dict(os.environ)
        env.update(endpoints())
        env.update(airflow_env())
        # Every JVM the command starts reads JDK_JAVA_OPTIONS (Maven, its forks, the tests' tools),
        # and one the archive does not fit starts with no class-data sharing at all, the JDK's own
        # included: here it carries the opens only.
        env["JDK_JAVA_OPTIONS"] = " ".join(job_java_options(class_archive=False))
        say(f"running: {' '.join(command)}")
        return subprocess.call(command, env=env)
    finally:
        for name in PROCESSES:
            if name not in already:
                stop(name)


def main(argv):
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(__doc__)
        return 0
    for d in ["logs", "run", "lib"]:
        (STATE / d).mkdir(parents=True, exist_ok=True)
    command, rest = argv[0], argv[1:]
    try:
        if command == "up":
            up(rest)
        elif command == "down":
            down()
        elif command in ("stop", "kill"):
            if not rest:
                raise StackError(f"usage: stack.py {command} NAME... (see status for the names)")
            down(rest, kill=command == "kill")
        elif command == "status":
            return 0 if status() else 3
        elif command == "env":
            for key, value in endpoints().items():
                print(f"export {key}={shlex.quote(value)}")
        elif command == "with":
            return run_with_stack(rest[1:] if rest[:1] == ["--"] else rest)
        elif command == "airflow":
            return airflow_cli(rest)
        elif command == "topics":
            create_topics(rest or TOPICS)
        elif command == "schema":
            apply_schema()
        else:
            raise StackError(f"unknown command '{command}'; see --help")
    except StackError as e:
        print(f"[stack] ERROR: {e}", file=sys.stderr, flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
