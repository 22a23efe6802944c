"""The monitoring console in a real headless browser (Debian's chromium and chromium-driver, via Selenium).

The page must list the topics, and show a consumer group's lag rising while its streaming job is
stopped and falling back to 0 when it runs. Screenshots are kept in infra/target/screenshots/.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.stack

REPO = Path(__file__).resolve().parents[2]
SPARK_JAR = REPO / "runners" / "spark" / "target" / "userstream-spark-bundled.jar"
BENCH_JAR = REPO / "infra" / "bench" / "target" / "userstream-bench.jar"
SCREENSHOTS = REPO / "infra" / "target" / "screenshots"
CONSOLE = os.environ.get("USERSTREAM_CONSOLE", "http://127.0.0.1:18088/")
CASSANDRA = os.environ.get("USERSTREAM_CASSANDRA", "127.0.0.1:19042")


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1800"]:
        options.add_argument(arg)
    assert Path("/usr/bin/chromedriver").exists(), "apt-get install chromium chromium-driver (make test does)"
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    yield driver
    driver.quit()


def java(*args: str) -> str:
    out = subprocess.run(["java", "-cp", f"{SPARK_JAR}{os.pathsep}{BENCH_JAR}", *args], capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, f"{args[0]} failed:\n{out.stdout}\n{out.stderr}"
    return out.stdout + out.stderr


def poll(what: str, condition, timeout: float = 180, every: float = 1.0):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out after {timeout:.0f} s waiting for {what}"
        time.sleep(every)


def texts(browser, css: str) -> list[str]:
    """The text of every element matching `css`, read in one script: the page re-renders every 3 s, so
    elements found in one call and read in the next may be gone (stale)."""
    return browser.execute_script(
        "return Array.from(document.querySelectorAll(arguments[0])).map((e) => e.textContent.trim());", css)


def lag_on_page(browser, group: str) -> int | None:
    """The lag the page shows for `group`, or None while the group is not listed."""
    cells = texts(browser, f'tr[data-group="{group}"] td.lag')
    if not cells:
        return None
    text = cells[0].replace(",", "")
    return int(text) if text.isdigit() else None


class StreamJob:
    def __init__(self, names: dict, kafka: str, checkpoints: Path, log: Path):
        self.proc = subprocess.Popen(
            ["java", "-jar", str(SPARK_JAR), "--runner=SparkRunner", "--sparkMaster=local[2]",
             f"--kafkaBootstrapServers={kafka}", f"--inputTopic={names['topic']}",
             f"--deadLetterTopic={names['dlq']}", f"--consumerGroup={names['group']}",
             f"--cassandraHosts={CASSANDRA}", f"--cassandraKeyspace={names['keyspace']}",
             f"--checkpointDir={checkpoints}"],
            stdout=open(log, "ab"), stderr=subprocess.STDOUT)

    def stop(self) -> int:
        """SIGTERM; the exit status (0 for a graceful stop, 143 if it came before the job had started)."""
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=150)


def test_the_page_lists_topics_and_shows_lag_rising_while_the_job_is_stopped_and_falling_when_it_runs(
        browser, kafka, tmp_path):
    from selenium.webdriver.common.by import By

    run = uuid.uuid4().hex[:8]
    names = {"topic": f"console-{run}-raw", "dlq": f"console-{run}-dlq", "group": f"console-{run}",
             "keyspace": f"console_{run}"}
    stack = subprocess.run(["python3", str(REPO / "infra" / "stack.py"), "topics", names["topic"], names["dlq"]],
                           capture_output=True, text=True)
    assert stack.returncode == 0, stack.stdout + stack.stderr
    java("dev.userstream.tools.ApplySchema", f"--cassandraHosts={CASSANDRA}", f"--cassandraKeyspace={names['keyspace']}",
         "--replication={'class': 'SimpleStrategy', 'replication_factor': 1}")

    def produce(count: int, seed: str):
        java("dev.userstream.bench.ProduceSampleUsers", f"--kafkaBootstrapServers={kafka}", f"--outputTopic={names['topic']}",
             f"--count={count}", f"--seed={seed}")

    produce(300, f"{run}-0")
    browser.get(CONSOLE)
    # The topic list, through the filter (a stack that ran many tests holds more topics than the
    # page lists unfiltered).
    topic_filter = browser.find_element(By.ID, "topic-filter")
    topic_filter.send_keys("users.raw")
    poll("the page to list users.raw", lambda: texts(browser, 'tr[data-topic="users.raw"]'))
    topic_filter.clear()
    topic_filter.send_keys(names["topic"])
    poll("the page to list the test's topic with its 300 records",
         lambda: texts(browser, f'tr[data-topic="{names["topic"]}"] td.records') == ["300"])
    browser.find_element(By.ID, "group-filter").send_keys(names["group"])

    # The job drains the first 300 and commits: the group appears with lag 0.
    job = StreamJob(names, kafka, tmp_path / "checkpoints", tmp_path / "job-1.log")
    try:
        poll("the group at lag 0", lambda: lag_on_page(browser, names["group"]) == 0, timeout=240)
    finally:
        stopped = job.stop()
    assert stopped == 0, "the job did not stop gracefully; see job-1.log"

    # Stopped: every chunk produced raises the lag the page shows, to 500 more each time. (Waiting
    # for "above the last value" instead read a sample taken mid-chunk on a busy machine as a chunk.)
    seen = [0]
    for chunk in range(1, 4):
        produce(500, f"{run}-{chunk}")
        seen.append(poll(f"the lag to reach {500 * chunk}", lambda chunk=chunk: (
            lag := lag_on_page(browser, names["group"])) == 500 * chunk and lag))
    assert seen == [0, 500, 1000, 1500], seen
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SCREENSHOTS / "console-lag-rising.png"))

    # Running again: the page shows it falling back to 0.
    job = StreamJob(names, kafka, tmp_path / "checkpoints-2", tmp_path / "job-2.log")
    try:
        falling = []
        poll("the lag to fall to 0", lambda: falling.append(lag_on_page(browser, names["group"])) or falling[-1] == 0,
             timeout=240)
    finally:
        stopped = job.stop()
    assert stopped == 0, "the job did not stop gracefully; see job-2.log"
    values = [v for v in falling if v is not None]
    assert values[0] == 1500 and values[-1] == 0
    assert all(b <= a for a, b in zip(values, values[1:], strict=False)), f"the lag went up while the job ran: {values}"
    browser.save_screenshot(str(SCREENSHOTS / "console-lag-drained.png"))
    assert browser.find_element(By.ID, "status-kafka").get_attribute("data-up") == "true"
    # Every broker and Cassandra node of the stack up (one of each, or three: USERSTREAM_NODES).
    nodes = os.environ.get("USERSTREAM_NODES", "1")
    for card_id in ["card-brokers", "card-nodes"]:
        assert texts(browser, f"#{card_id} .v") == [f"{nodes} of {nodes} up"], card_id
    # The stack's Flink session cluster, with its TaskManager's slots, and the link to its UI.
    assert browser.find_element(By.ID, "status-flink").get_attribute("data-up") == "true"
    assert "1 TaskManager," in browser.find_element(By.ID, "links").text
    assert browser.find_element(By.ID, "link-flink").get_attribute("href").startswith(os.environ["USERSTREAM_FLINK_UI"])


def test_components_that_are_down_show_as_down_and_the_rest_keeps_working(browser, kafka, tmp_path):
    import json
    import socket
    import urllib.request

    from selenium.webdriver.common.by import By

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    jar = REPO / "infra" / "console" / "target" / "userstream-console-bundled.jar"
    log = tmp_path / "console.log"
    # Nothing listens on port 1: Cassandra, the registry, Spark, Flink and Airflow are "down".
    console = subprocess.Popen(
        ["java", "-jar", str(jar), f"--port={port}", f"--kafkaBootstrapServers={kafka}", "--cassandraHosts=127.0.0.1:1",
         "--schemaRegistryUrl=http://127.0.0.1:1", "--sparkUi=http://127.0.0.1:1", "--flinkUi=http://127.0.0.1:1",
         "--airflowUi=http://127.0.0.1:1",
         "--postgresUrl=jdbc:postgresql://127.0.0.1:1/userstream", "--profilesApi=http://127.0.0.1:1"],
        stdout=open(log, "wb"), stderr=subprocess.STDOUT)
    try:
        poll("the console to listen", lambda: "console listening" in log.read_text(), timeout=60, every=0.2)
        url = f"http://127.0.0.1:{port}/"

        def overview():
            with urllib.request.urlopen(url + "api/overview", timeout=5) as response:
                return json.load(response)

        data = poll("every section sampled", lambda: (d := overview()) and all(
            "sampledAt" in d[k] for k in ["kafka", "cassandra", "schemas", "staging", "links"]) and d, timeout=60)
        assert data["kafka"]["up"] is True
        for section, component in [("cassandra", "Cassandra"), ("schemas", "127.0.0.1:1"), ("staging", "PostgreSQL")]:
            assert data[section]["up"] is False and component in data[section]["error"], data[section]
        assert data["links"]["spark"]["up"] is False and data["links"]["airflow"]["up"] is False
        assert data["links"]["flink"]["up"] is False and data["links"]["flink"]["error"]
        assert data["links"]["profiles"]["up"] is False

        browser.get(url)
        poll("the pills", lambda: browser.execute_script(
            "return document.getElementById('status-kafka').dataset.up") == "true")
        for pill in ["cassandra", "registry", "postgres", "spark", "flink", "airflow", "profiles"]:
            assert browser.find_element(By.ID, f"status-{pill}").get_attribute("data-up") == "false", pill
        assert "Schema registry is down" in browser.find_element(By.ID, "schemas").text
        # A search while the profiles API is down says so, on the page.
        browser.find_element(By.ID, "profile-email").send_keys("anyone@example.com")
        browser.find_element(By.ID, "profile-search-button").click()
        poll("the search's error", lambda: "is not answering" in " ".join(texts(browser, "#profiles-error:not([hidden])")))
        browser.find_element(By.ID, "topic-filter").send_keys("users.raw")
        poll("users.raw listed", lambda: browser.find_elements(By.CSS_SELECTOR, 'tr[data-topic="users.raw"]'))
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(SCREENSHOTS / "console-components-down.png"))
    finally:
        console.send_signal(signal.SIGTERM)
        console.wait(timeout=30)


def test_a_topic_with_hundreds_of_partitions_is_listed_and_opens_on_click(browser, kafka):
    from confluent_kafka.admin import AdminClient, NewTopic
    from selenium.webdriver.common.by import By

    topic = f"console-wide-{uuid.uuid4().hex[:8]}"
    admin = AdminClient({"bootstrap.servers": kafka})
    admin.create_topics([NewTopic(topic, num_partitions=300, replication_factor=1)])[topic].result(timeout=60)
    try:
        browser.get(CONSOLE)
        browser.find_element(By.ID, "topic-filter").send_keys(topic)
        poll("the 300-partition topic", lambda: texts(browser, f'tr[data-topic="{topic}"] td:nth-child(2)') == ["300"])
        # A click toggles the row's detail; the re-render keeps it open.
        browser.execute_script("document.querySelector(arguments[0]).click();", f'tr[data-topic="{topic}"]')
        detail = poll("its partitions", lambda: texts(browser, "#topics tr.detail td"))
        assert "p0: 0–0" in detail[0] and "p199:" in detail[0] and detail[0].endswith("…")
    finally:
        admin.delete_topics([topic])[topic].result(timeout=60)


def test_the_profiles_section_finds_a_user_stored_a_moment_ago_by_email(browser, kafka, tmp_path):
    """A user produced now goes through the streaming job into the stack's profiles table, then is
    searched for on the page by e-mail (through the profiles API) and opened."""
    import json

    from confluent_kafka import Consumer
    from selenium.webdriver.common.by import By

    run = uuid.uuid4().hex[:8]
    names = {"topic": f"profiles-{run}-raw", "dlq": f"profiles-{run}-dlq", "group": f"profiles-{run}",
             "keyspace": "userstream"}
    stack = subprocess.run(["python3", str(REPO / "infra" / "stack.py"), "topics", names["topic"], names["dlq"]],
                           capture_output=True, text=True)
    assert stack.returncode == 0, stack.stdout + stack.stderr
    java("dev.userstream.bench.ProduceSampleUsers", f"--kafkaBootstrapServers={kafka}", f"--outputTopic={names['topic']}",
         "--count=5", f"--seed=profiles-{run}")
    consumer = Consumer({"bootstrap.servers": kafka, "group.id": f"reader-{run}", "auto.offset.reset": "earliest"})
    consumer.subscribe([names["topic"]])
    users = []
    try:
        deadline = time.monotonic() + 60
        while len(users) < 5 and time.monotonic() < deadline:
            message = consumer.poll(1.0)
            if message is not None and message.error() is None:
                users.append(json.loads(message.value()))
    finally:
        consumer.close()
    assert len(users) == 5, f"read {len(users)} of the 5 users produced"
    user = next((u for u in users if not u["email"].startswith("user.")), users[-1])
    email, user_id = user["email"], user["login"]["uuid"]

    job = StreamJob(names, kafka, tmp_path / "checkpoints", tmp_path / "job.log")
    try:
        browser.get(CONSOLE)
        poll("the profiles API's pill up", lambda: browser.execute_script(
            "return document.getElementById('status-profiles').dataset.up") == "true", timeout=60)
        email_box = browser.find_element(By.ID, "profile-email")
        email_box.send_keys(email.upper())  # e-mail look-ups ignore case

        def answered() -> bool:
            return browser.execute_script("return document.getElementById('profiles-section').dataset.state") == "answered"

        def found():
            # Several stored users may share an address (the API gives every user with no Latin name
            # user.user@example.com): the page lists them a page at a time, "more" fetches the next.
            assert job.proc.poll() is None, f"the streaming job exited ({job.proc.returncode}); see {tmp_path / 'job.log'}"
            browser.find_element(By.ID, "profile-search-button").click()
            while True:
                poll("the search's answer", answered, timeout=30, every=0.2)
                assert not texts(browser, "#profiles-error:not([hidden])"), texts(browser, "#profiles-error")
                rows = texts(browser, f'tr.profile[data-id="{user_id}"] td.email')
                if rows or not browser.find_element(By.ID, "profiles-more").is_displayed():
                    return rows
                browser.find_element(By.ID, "profiles-more").click()

        assert poll("the user on the page, found by e-mail", found, timeout=240, every=2) == [email]
        browser.execute_script("document.querySelector(arguments[0]).click();", f'tr.profile[data-id="{user_id}"]')
        detail = poll("the profile's detail", lambda: texts(browser, "#profiles tr.profile-detail td"))
        assert user_id in detail[0] and email in detail[0] and user["name"]["last"] in detail[0]
        assert "password" not in detail[0]
        for secret in [user["login"].get(k) for k in ("password", "salt", "md5", "sha1", "sha256")]:
            assert not secret or secret not in detail[0]
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(SCREENSHOTS / "console-profile-found.png"))
    finally:
        stopped = job.stop()
    assert stopped == 0, "the job did not stop gracefully; see job.log"
