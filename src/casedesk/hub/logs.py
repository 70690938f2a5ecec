"""Structured JSON logs for the hub.

Log lines carry ids, counts and timings; never payloads, envelopes, tokens, cursors or account
names.
"""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

LOGGER_NAME = "casedesk.hub"
# Not copied into the JSON document: the record's own attributes, and uvicorn's
# ``color_message`` (its terminal copy of the message, full of ANSI colour codes).
_NOT_EXTRAS = frozenset(
    logging.LogRecord("", 0, "", 0, "", None, None).__dict__.keys()
    | {"message", "asctime", "color_message"}
)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, event, and the record's ``extra`` fields."""

    def format(self, record: logging.LogRecord) -> str:
        """Render a record as JSON."""
        document: dict[str, Any] = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname.lower(),
            "event": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _NOT_EXTRAS and not key.startswith("_"):
                document[key] = value
        if record.exc_info and record.exc_info[0] is not None:
            # The exception type only: messages of arbitrary exceptions could quote data.
            document["error_type"] = record.exc_info[0].__name__
        return json.dumps(document, default=str, separators=(",", ":"))


def hub_logger() -> logging.Logger:
    """The hub's logger."""
    return logging.getLogger(LOGGER_NAME)


def configure_logging(log_file: str | None = None, level: int = logging.INFO) -> None:
    """Send the hub's JSON log lines to stderr, or append them to ``log_file``."""
    handler: logging.Handler = (
        logging.FileHandler(log_file, encoding="utf-8") if log_file
        else logging.StreamHandler(sys.stderr)
    )
    handler.setFormatter(JsonFormatter())
    # uvicorn reports crashed requests on "uvicorn.error" with a traceback whose exception text
    # could quote request data; routed through the JSON formatter only the type is kept.
    for name in (LOGGER_NAME, "uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(level)
        logger.propagate = False
