import io
import json
import logging

import pytest

from ops.logs import JsonFormatter


@pytest.fixture
def log_lines():
    """log_lines() -> every line the console handler wrote during the test, parsed: the log an
    operator reads in production (JSON), whatever format this run was configured with."""
    handler = next(h for h in logging.getLogger().handlers if h.name == "console")
    stream = io.StringIO()
    previous_stream, previous_formatter = handler.setStream(stream), handler.formatter
    handler.setFormatter(JsonFormatter())
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    handler.setFormatter(previous_formatter)
    handler.setStream(previous_stream)
