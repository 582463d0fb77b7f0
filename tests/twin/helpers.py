"""Small hand-built projects for model tests (no file I/O)."""

from linetwin.twin.model import (
    AnalogColorRule, Asset, AssetLevel, Limits, Project, Signal, SignalKind, StateColorRule,
)


def tiny_project() -> Project:
    assets = (
        Asset("line", "Line", AssetLevel.SYSTEM),
        Asset("sealer", "Sealer", AssetLevel.ASSET, parent="line", color_by="sealer.state"),
        Asset("oven", "Oven", AssetLevel.ASSET, parent="line", color_by="oven.temp"),
        Asset("frame", "Frame", AssetLevel.ASSET, parent="line"),
    )
    signals = (
        Signal("sealer.state", "sealer", "ns=2;s=Sealer.State", SignalKind.STATE),
        Signal("oven.temp", "oven", "ns=2;s=Oven.Temp", SignalKind.ANALOG, "°C", Limits(150, 200)),
    )
    rules = (
        StateColorRule("states", {"fault": (255, 0, 0)}),
        AnalogColorRule("oven", "oven.temp", "viridis", (100.0, 200.0)),
    )
    return Project("tiny", None, assets, signals, rules)
