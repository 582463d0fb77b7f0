"""scene/focus.py on the window's real scene: the target stands out, the rest
fades, a restyle keeps the fade, clearing gives every actor its opacity back."""

from __future__ import annotations

import pytest

from linetwin.scene.focus import CONTEXT, DIMMED, Focus
from linetwin.scene.legend import NO_DATA_OPACITY


def opacities(scene) -> dict[str, float]:
    return {a: actor.GetProperty().GetOpacity() for a, actor in scene.actors.items()}


def test_component_focus_fades_the_rest_keeps_context_and_undoes(window):
    scene = window.scene
    window.focus.clear()
    before = opacities(scene)
    focus = Focus(scene)
    focus.show("sealer.seal_head")
    after = opacities(scene)
    assert after["sealer.seal_head"] == before["sealer.seal_head"]
    assert after["sealer"] == pytest.approx(before["sealer"] * CONTEXT)
    assert after["filler"] == pytest.approx(before["filler"] * DIMMED)
    assert focus._outline is not None
    focus.clear()
    assert opacities(scene) == before and focus._outline is None and focus.target is None


def test_a_station_focus_keeps_its_components_and_survives_a_restyle(window):
    scene, focus = window.scene, window.focus
    focus.show("labeler")
    assert not focus.faded("labeler.guard") and focus.faded("sealer.seal_head")
    scene.actors["filler"].GetProperty().SetOpacity(NO_DATA_OPACITY)  # as a restyle to "no data" does
    focus.refresh()
    assert scene.actors["filler"].GetProperty().GetOpacity() == pytest.approx(NO_DATA_OPACITY * DIMMED)
    focus.clear()
    assert scene.actors["filler"].GetProperty().GetOpacity() == pytest.approx(NO_DATA_OPACITY)


def test_an_id_without_a_mesh_clears_the_focus(window):
    window.focus.show("line1")
    assert window.focus.target is None and not any(window.focus.faded(a) for a in window.scene.actors)
