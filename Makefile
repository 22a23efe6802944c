# userstream: one command for each thing a person does. See README.md.
MVN     ?= mvn
PYTHON  ?= python3
STACK   := $(PYTHON) infra/stack.py
# The project's Airflow virtualenv (pinned by airflow/requirements.txt), and infra/'s test tools
# (a third-party schema registry client, pinned by infra/requirements.txt).
AIRFLOW_VENV := airflow/.venv
INFRA_VENV   := infra/.venv

.PHONY: help build test unit-test it test-faults soak up down status demo clean bench profile job-classlist airflow-venv airflow-test airflow-lock \
  infra-venv infra-test infra-lock prereqs prereqs-test docs-options

help:
	@echo "make build   compile and build the bundled jars (no tests)"
	@echo "make test    every test: unit tests, then integration tests against the local stack"
	@echo "make test-faults  the fault-injection suites: single node (part of make test), then the 3-node cluster"
	@echo "make demo    stack up, sample users through the streaming job on Spark, report"
	@echo "make up      start the local stack (PostgreSQL, Kafka, Cassandra, Spark, Flink, emulator, registry, profiles API, Airflow, console)"
	@echo "make status  what of the stack runs"
	@echo "make down    stop everything the stack started"
	@echo "make bench   throughput, latency and memory of the whole pipeline, against its ceilings (target/bench/)"
	@echo "make profile flame graphs of the streaming job draining, and its CPU by component (target/bench/profile-*.html)"
	@echo "make job-classlist  refresh the class list the jobs' start-up archive is made from (runners/spark/cds/)"
	@echo "make docs-options  rewrite the option tables of docs/PIPELINES.md from the code"
	@echo "make soak    the streaming job under 1,000 users/s for 30 min with a Kafka and a Cassandra restart (target/soak/)"

# The machine's prerequisites (Java, Maven, Python; the Debian packages are installed when
# missing): what the stack needs, and for make test also Compose and a headless browser.
prereqs:
	bash infra/prereqs.sh stack
prereqs-test:
	bash infra/prereqs.sh test

build:
	$(MVN) install -DskipTests

# Unit tests (no servers) and the bundled jars the integration tests run.
unit-test:
	$(MVN) install -DskipITs

# Integration tests against the local stack: started here if it is not running, and then
# stopped again (a stack that was already up is left up).
it: airflow-venv infra-venv
	$(STACK) with -- sh -c '$(MVN) failsafe:integration-test failsafe:verify -pl runners/direct,runners/spark,runners/flink,infra/profiles-api \
	  && $(INFRA_VENV)/bin/pytest -q infra/tests -m stack --junitxml=infra/target/pytest-reports/TEST-infra-stack.xml \
	  && $(AIRFLOW_VENV)/bin/pytest -q airflow/tests -m stack --junitxml=airflow/target/pytest-reports/TEST-airflow-runs.xml'

test: prereqs-test unit-test airflow-test infra-test it

# The fault-injection suites: FaultsIT on the single-node stack (make test runs it too: servers
# stopped and restarted, the job SIGKILLed), then ClusterFaultsIT on the cluster stack (three
# brokers, three Cassandra nodes; not in make test). Tables in runners/spark/target/reliability/
# (faults.md, cluster-faults.md; docs/RELIABILITY.md). A stack already up must be stopped first.
test-faults: prereqs build airflow-venv
	$(STACK) with -- $(MVN) failsafe:integration-test failsafe:verify -pl runners/spark -Dit.test=FaultsIT
	USERSTREAM_NODES=3 $(STACK) with -- $(MVN) failsafe:integration-test failsafe:verify -pl runners/spark \
	  -Dit.test=ClusterFaultsIT

# The class list the jobs' class-data archive is dumped from (infra/stack.py): the classes a
# streaming job loads from JVM start through a short drain. Refresh it when dependencies change;
# classes it names that the jar no longer has are skipped, and new ones load as usual.
job-classlist: prereqs build
	$(MAKE) bench BENCH_ARGS='--phases=drain --users=20000 --runners=spark --jobJvmArgs="-Xshare:off -XX:DumpLoadedClassList=$(CURDIR)/target/stream-job.classlist"'
	grep -v -e '^#' -e '\$$Proxy' -e 'DoFnInvoker' -e '/Generated[A-Za-z]*Accessor' target/stream-job.classlist \
	  > runners/spark/cds/stream-job.classlist

# The soak (not in make test): SOAK_MINUTES (30) of SOAK_RATE (1000) users/s through the streaming
# job, Kafka restarted a third of the way in, Cassandra stopped for 30 s at two thirds; prints a row
# a minute (lag, dead letters, the job's RSS, old generation and GC time) and the losses; table in target/soak/soak.md.
SOAK_MINUTES ?= 30
SOAK_RATE ?= 1000
soak: prereqs build airflow-venv infra-venv
	SOAK_MINUTES=$(SOAK_MINUTES) SOAK_RATE=$(SOAK_RATE) $(STACK) with -- $(INFRA_VENV)/bin/python infra/soak.py

# The project's two virtualenvs, airflow/.venv (Airflow and the Beam provider) and infra/.venv
# (infra/'s test tools), each installed from its pinned requirements.txt.
%/.venv/.installed: %/requirements.txt
	$(PYTHON) -m venv $*/.venv
	$*/.venv/bin/pip install -q --disable-pip-version-check -r $*/requirements.txt
	touch $@

airflow-venv: $(AIRFLOW_VENV)/.installed
infra-venv: $(INFRA_VENV)/.installed

# DAG integrity and lint: no servers.
airflow-test: airflow-venv
	$(AIRFLOW_VENV)/bin/ruff check airflow
	AIRFLOW_HOME=$(CURDIR)/.userstream/airflow $(AIRFLOW_VENV)/bin/pytest -q airflow/tests -m "not stack" \
	  --junitxml=airflow/target/pytest-reports/TEST-airflow-dags.xml

# infra/ checks that need no server (the docker-compose file, validated by a real Compose).
infra-test: infra-venv
	$(INFRA_VENV)/bin/pytest -q infra/tests -m "not stack" --junitxml=infra/target/pytest-reports/TEST-infra.xml

# Rewrites the option tables of docs/PIPELINES.md from the options interfaces (their @Description
# and @Default); a unit test fails while they differ.
docs-options:
	$(MVN) -q test -pl pipelines -am -Dtest=OptionsDocTest -Dsurefire.failIfNoSpecifiedTests=false -DupdateDocs=true

# Re-resolve airflow/requirements.in (or infra/'s) into the pinned requirements.txt.
airflow-lock infra-lock: %-lock:
	rm -rf $*/.venv.lock && $(PYTHON) -m venv $*/.venv.lock
	$*/.venv.lock/bin/pip install -q -r $*/requirements.in
	{ echo "# Generated from $*/requirements.in by make $*-lock (pip freeze of a fresh venv, Python 3.11)."; \
	  $*/.venv.lock/bin/pip freeze --exclude-editable; } > $*/requirements.txt
	rm -rf $*/.venv.lock

up: prereqs build airflow-venv
	$(STACK) up

status:
	$(STACK) status

down:
	$(STACK) down

demo: prereqs build airflow-venv
	$(PYTHON) infra/demo.py

clean: down
	$(MVN) -q clean
	rm -rf .userstream

# The benchmark (not a test): ingest, stream drain, latency under load (both on the Spark and then the
# Flink runner), the profiles API's look-ups while the job writes, ceilings, memory; each phase bounded in time. BENCH_ARGS e.g. --phases=drain,ceilings --users=50000 --rate=500 --seconds=30;
# BENCH_UPDATE_DOCS=true also rewrites docs/BENCHMARKS.md. Results in target/bench/.
BENCH_ARGS ?=
BENCH_UPDATE_DOCS ?= false
bench: prereqs build airflow-venv
	$(STACK) with -- sh -c 'java $$USERSTREAM_JAVA_OPTS -Xmx3g -Djava.awt.headless=true -Dspark.driver.host=127.0.0.1 \
	  -Dspark.driver.bindAddress=127.0.0.1 -cp runners/spark/target/userstream-spark-bundled.jar:infra/bench/target/userstream-bench.jar \
	  dev.userstream.bench.Bench --kafkaBootstrapServers=$$USERSTREAM_KAFKA --cassandraHosts=$$USERSTREAM_CASSANDRA \
	  --updateDocs=$(BENCH_UPDATE_DOCS) $(BENCH_ARGS)'

# Where the streaming job's CPU goes: the drain phase of the benchmark with async-profiler (from
# Maven Central, in infra/bench's jar) attached to the job, and to the stack's Cassandra during the
# drain; flame graphs (target/bench/profile-job.html, profile-drain.html, profile-cassandra-drain.html)
# and the drain's CPU by component.
# PROFILE_USERS (200000) users are preloaded and drained.
PROFILE_USERS ?= 200000
profile:
	$(MAKE) bench BENCH_ARGS="--phases=drain --users=$(PROFILE_USERS) --runners=spark --profile=true $(BENCH_ARGS)"
