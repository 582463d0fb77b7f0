"""Colour updates: one numpy pass, only changed assets touched, the same look as before."""

import numpy as np
import pytest
from vtkmodules.vtkRenderingCore import vtkProperty

from linetwin.scene import label_layout as layout
from linetwin.scene.asset_styles import AssetStyles
from linetwin.scene.legend import BAD_QUALITY_EDGE, NO_DATA_OPACITY, STALE_EDGE
from linetwin.twin.colors import AssetAppearance, Look

RUNNING, FAULT = (0, 158, 115), (213, 94, 0)


class CountingActor:
    """Stands in for an asset actor; counts how often its property is fetched."""

    def __init__(self, asset_id: str) -> None:
        self.asset_id = asset_id
        self.prop = vtkProperty()
        self.fetched = 0

    def GetProperty(self):  # noqa: N802 - VTK's name
        self.fetched += 1
        return self.prop


@pytest.fixture
def styles():
    actors = [CountingActor(f"a{i}") for i in range(50)]
    return AssetStyles(actors, placeholders={"a49"}, urgent=frozenset({"fault"}))


def fetched(styles) -> list[int]:
    counts = [a.fetched for a in styles.actors]
    for actor in styles.actors:
        actor.fetched = 0
    return counts


def test_only_assets_whose_colour_or_look_changed_are_touched(styles):
    ids = [a.asset_id for a in styles.actors]
    styles.apply([AssetAppearance(a, RUNNING, Look.LIVE, "running") for a in ids])
    assert fetched(styles) == [1] * 49 + [0]  # the placeholder keeps its own look
    styles.apply([AssetAppearance(a, RUNNING, Look.LIVE, "running") for a in ids])
    assert sum(fetched(styles)) == 0  # nothing changed, nothing touched
    changed = {"a3": (RUNNING, Look.STALE), "a7": (FAULT, Look.LIVE)}
    styles.apply([AssetAppearance(a, *changed.get(a, (RUNNING, Look.LIVE)), "running")
                  for a in ids])
    counts = fetched(styles)
    assert {ids[i] for i, n in enumerate(counts) if n} == set(changed)
    styles.forget()
    styles.apply([AssetAppearance("a5", RUNNING, Look.LIVE, "running")])
    assert fetched(styles)[5] == 1  # forgotten: restyled although unchanged


@pytest.mark.parametrize("look", list(Look))
def test_each_look_draws_as_before(styles, look):
    styles.apply([AssetAppearance("a1", FAULT, look, "x")])
    prop = styles.actors[1].prop
    assert prop.GetColor() == pytest.approx(tuple(c / 255.0 for c in FAULT))
    assert prop.GetOpacity() == pytest.approx(NO_DATA_OPACITY if look is Look.NO_DATA else 1.0)
    edged = look in (Look.BAD_QUALITY, Look.STALE)
    assert bool(prop.GetEdgeVisibility()) == edged
    if edged:
        edge = BAD_QUALITY_EDGE if look is Look.BAD_QUALITY else STALE_EDGE
        assert prop.GetEdgeColor() == pytest.approx(tuple(c / 255.0 for c in edge))
    # back to live: the look is undone, not only the colour changed
    styles.apply([AssetAppearance("a1", RUNNING, Look.LIVE, "running")])
    assert prop.GetOpacity() == 1.0 and not prop.GetEdgeVisibility()


def test_a_batch_of_random_changes_matches_each_asset_styled_alone():
    rng = np.random.default_rng(5)
    ids = [f"a{i}" for i in range(200)]
    batched = AssetStyles([CountingActor(a) for a in ids], (), frozenset())
    alone = AssetStyles([CountingActor(a) for a in ids], (), frozenset())
    for _ in range(5):
        apps = [AssetAppearance(a, tuple(int(c) for c in rng.integers(0, 256, 3)),
                                Look(int(rng.integers(0, 5))), "") for a in ids
                if rng.random() < 0.3]
        batched.apply(apps)
        for app in apps:
            alone.apply([app])
    for one, other in zip(batched.actors, alone.actors):
        assert one.prop.GetColor() == other.prop.GetColor()
        assert one.prop.GetOpacity() == other.prop.GetOpacity()
        assert one.prop.GetEdgeVisibility() == other.prop.GetEdgeVisibility()


def test_label_texts_and_priorities(styles):
    texts = styles.apply([AssetAppearance("a2", FAULT, Look.LIVE, "fault"),
                          AssetAppearance("a4", RUNNING, Look.BAD_QUALITY, "bad"),
                          AssetAppearance("a49", FAULT, Look.LIVE, "fault")])
    assert texts == {"a2": "fault", "a4": "bad", "a49": "fault · no mesh"}
    styles.set_badges({"a6": "alarm", "a2": "cleared"})
    tiers = styles.tiers()
    assert tiers[6] == layout.ALARMED and tiers[2] == tiers[4] == layout.URGENT
    assert tiers[0] == layout.PLAIN
