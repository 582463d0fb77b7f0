"""A fitted what-if model of one inspecting station: a :class:`DefectModel` per
defect type (or the reason there is none), the process values' scales and
ranges, the validation, a reference of the line as it ran last ("now"), and
its model card. Stored as one JSON file whose ``hash`` is the sha256 of the
rest (canonical JSON), so a report can name exactly which model it used.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from linetwin.twin.whatif.defect_model import DefectModel
from linetwin.twin.whatif.design import FeatureScale

FORMAT = "linetwin-whatif/1"


class ModelFileError(Exception):
    """A model file that cannot be read; the message names the file and why."""


@dataclass(frozen=True)
class DataRange:
    """What the model was fitted on."""

    history: str  # file name
    data_hash: str  # sha256 of the fitted rows (UnitTable.data_hash)
    first: float
    last: float
    units: int
    dropped: int  # units left out for a gap in a process value
    defects: dict[str, int] = field(default_factory=dict)  # defect type -> count

    def as_json(self) -> dict:
        return {"history": self.history, "data_hash": self.data_hash, "first": self.first,
                "last": self.last, "units": self.units, "dropped": self.dropped, "defects": self.defects}

    @classmethod
    def from_json(cls, data: dict) -> "DataRange":
        return cls(data["history"], data["data_hash"], float(data["first"]), float(data["last"]),
                   int(data["units"]), int(data["dropped"]), {k: int(v) for k, v in data["defects"].items()})


@dataclass(frozen=True)
class WhatIfModel:
    station: str
    created: float
    data: DataRange
    scales: dict[str, FeatureScale]
    models: dict[str, DefectModel]  # defect types with a model
    insufficient: dict[str, str]  # defect type -> why it has no model
    base_rates: dict[str, float]  # defect type -> its rate over the whole data
    validation: dict[str, dict]  # defect type -> DefectValidation.as_json()
    reference: dict[str, np.ndarray]  # the last hour of process values: "now" by default
    hash: str = ""

    @property
    def defect_types(self) -> list[str]:
        return sorted(set(self.models) | set(self.insufficient))

    @property
    def version(self) -> str:
        """Short name of this exact model: station, fit date, hash prefix."""
        day = np.datetime64(int(self.created), "s").astype(str)[:10]
        return f"{self.station}-{day}-{self.hash[:8]}"

    def body_json(self) -> dict:
        return {
            "format": FORMAT, "station": self.station, "created": self.created,
            "data": self.data.as_json(),
            "features": {k: v.as_json() for k, v in sorted(self.scales.items())},
            "models": {k: v.as_json() for k, v in sorted(self.models.items())},
            "insufficient": dict(sorted(self.insufficient.items())),
            "base_rates": dict(sorted(self.base_rates.items())),
            "validation": dict(sorted(self.validation.items())),
            "reference": {k: v.tolist() for k, v in sorted(self.reference.items())},
        }

    def as_json(self) -> dict:
        return {**self.body_json(), "hash": body_hash(self.body_json())}

    def with_hash(self) -> "WhatIfModel":
        return WhatIfModel(**{**self.__dict__, "hash": body_hash(self.body_json())})

    def write(self, path: Path) -> None:
        tmp = path.with_name(path.name + ".part")
        tmp.write_text(json.dumps(self.as_json(), indent=1, allow_nan=False), encoding="utf-8")
        tmp.replace(path)  # never a half-written model under the real name


def body_hash(body: dict) -> str:
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_model(path: Path) -> WhatIfModel:
    """The model in ``path``; ModelFileError names the file and what is wrong."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelFileError(f"{path}: no such model file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelFileError(f"{path}: not a LineTwin what-if model ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ModelFileError(f"{path}: not a LineTwin what-if model (format {FORMAT!r} expected)")
    stored = data.pop("hash", None)
    if stored != body_hash(data):
        raise ModelFileError(f"{path}: the model's contents do not match its hash (edited or damaged)")
    try:
        return _from_body(data, stored)
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelFileError(f"{path}: damaged model ({exc!r})") from None


def _from_body(data: dict, stored_hash: str) -> WhatIfModel:
    return WhatIfModel(
        station=data["station"], created=float(data["created"]), data=DataRange.from_json(data["data"]),
        scales={k: FeatureScale.from_json(k, v) for k, v in data["features"].items()},
        models={k: DefectModel.from_json(k, v) for k, v in data["models"].items()},
        insufficient=dict(data["insufficient"]), base_rates={k: float(v) for k, v in data["base_rates"].items()},
        validation=dict(data["validation"]),
        reference={k: np.asarray(v, dtype=np.float64) for k, v in data["reference"].items()},
        hash=stored_hash)
