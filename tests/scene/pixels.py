"""Reading back what an off-screen scene drew, asset by asset."""

import colorsys

import numpy as np


def asset_pixels(scene, image: np.ndarray, asset_id: str, step: int = 3) -> np.ndarray:
    """RGB of the pixels where a pick lands on ``asset_id`` (labels excluded)."""
    height = image.shape[0]
    b = scene.meshes[asset_id].bounds
    corners = [(x, y, z) for x in b[0:2] for y in b[2:4] for z in b[4:6]]
    xy = np.array([scene.to_display(c) for c in corners])
    (x0, y0), (x1, y1) = xy.min(axis=0).astype(int), xy.max(axis=0).astype(int)
    hits = []
    for y in range(max(y0, 0), min(y1, height - 1), step):
        for x in range(max(x0, 0), min(x1, image.shape[1] - 1), step):
            if scene.pick(x, y) == asset_id:
                hits.append(image[height - 1 - y, x, :3])
    return np.array(hits, dtype=np.uint8).reshape(-1, 3)


def hue_degrees(rgb) -> float:
    h, _, _ = colorsys.rgb_to_hsv(*(np.asarray(rgb, dtype=float) / 255.0))
    return h * 360.0


def saturation(rgb) -> float:
    return colorsys.rgb_to_hsv(*(np.asarray(rgb, dtype=float) / 255.0))[1]


def dominant_color(pixels: np.ndarray, palette: dict[str, tuple]) -> str:
    """The palette entry whose hue most pixels are closest to (shading changes
    brightness, not hue; unsaturated pixels such as highlights are skipped)."""
    names = list(palette)
    hues = np.array([hue_degrees(palette[n]) for n in names])
    votes = np.zeros(len(names), dtype=int)
    for px in pixels:
        if saturation(px) < 0.3:
            continue
        d = np.abs(hues - hue_degrees(px))
        votes[np.argmin(np.minimum(d, 360 - d))] += 1
    return names[int(np.argmax(votes))]
