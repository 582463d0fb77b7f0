"""What a proposal rests on: the what-if result and the model it came from.

Only a summary of the result is kept with the proposal (the predicted rates,
not the whole file) and, of the model, its version and hash (checked against
its contents on reading), so the audit log names exactly which model a change
was argued with.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from linetwin.twin.whatif.whatif_model import ModelFileError, read_model

_SUMMARY_KEYS = ("station", "signal", "changes", "defects", "fpy", "model_version")


class EvidenceError(ValueError):
    """A what-if result or model file that cannot be read; the message names the file."""


def whatif_summary(path: Path) -> dict[str, Any]:
    """The predicted rates of a ``linetwin whatif --json`` result."""
    data = _json(path, "what-if result")
    if not isinstance(data, dict) or "defects" not in data:
        raise EvidenceError(f"{path}: not a what-if result (`linetwin whatif ... --json` writes one; "
                            "it has a \"defects\" key)")
    summary = {key: data[key] for key in _SUMMARY_KEYS if key in data}
    summary["file"] = path.name
    return summary


def model_identity(path: Path) -> tuple[str, str]:
    """(version, hash) of a fitted what-if model file, whose hash is checked on reading."""
    try:
        model = read_model(path)
    except ModelFileError as exc:
        raise EvidenceError(str(exc)) from None
    return model.version, model.hash


def _json(path: Path, what: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise EvidenceError(f"{path}: cannot read the {what}: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise EvidenceError(f"{path}: the {what} is not JSON: {exc}") from None
