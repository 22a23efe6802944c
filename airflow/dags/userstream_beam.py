"""BeamRunJavaPipelineOperator, failing with the job's own reason instead of only its exit status.

The project's mains end a failed run with one line `<Job> failed: <reason>` and exit status 1
(IngestPipeline: `Ingestion failed: ...`, SparkStreamPipeline: `Streaming failed: ...`). The
provider raises "Apache Beam process failed with return code 1"; this operator raises that line,
so the task's error names the wrong option or the unreachable server without opening the log.
"""

from __future__ import annotations

import functools
import re

from airflow.providers.apache.beam.operators.beam import BeamRunJavaPipelineOperator

# The job's last "... failed: reason" line (after the log prefix: time, level, logger).
FAILURE_LINE = re.compile(r"\b([A-Z]\w* failed: .+)$")


class PipelineJarOperator(BeamRunJavaPipelineOperator):
    """Runs a main class of the bundled jar; its failure line becomes the task's error."""

    def _init_pipeline_options(self, *args, **kwargs):
        options = super()._init_pipeline_options(*args, **kwargs)
        self._failure_line = None
        # The provider passes no line callback to local (non-Dataflow) runs: add ours.
        self.beam_hook.start_java_pipeline = functools.partial(
            self.beam_hook.start_java_pipeline, process_line_callback=self._remember_failure
        )
        return options

    def _remember_failure(self, line: str) -> None:
        found = FAILURE_LINE.search(line.rstrip())
        if found:
            self._failure_line = found.group(1)

    def execute(self, context):
        from airflow.exceptions import AirflowException

        try:
            return super().execute(context)
        except AirflowException as e:
            if getattr(self, "_failure_line", None):
                raise AirflowException(f"{self._failure_line} ({e})") from None
            raise
