"""Colors and colormaps the twin uses, as plain RGB tuples and numpy tables.

The default state palette is Okabe-Ito, chosen because its hues stay distinct
under the common color-vision deficiencies. The looks for "no data" and bad
quality are greys: they must never be mistaken for a live state color, so the
scene also changes their surface style (ghosted, edged), not only their color.
"""

from __future__ import annotations

import numpy as np

RGB = tuple[int, int, int]

OKABE_ITO_STATES: dict[str, RGB] = {
    "idle": (86, 180, 233),  # sky blue
    "running": (0, 158, 115),  # bluish green
    "starved": (240, 228, 66),  # yellow
    "blocked": (230, 159, 0),  # orange
    "fault": (213, 94, 0),  # vermillion
    "maintenance": (204, 121, 167),  # reddish purple
}

NO_DATA_COLOR: RGB = (200, 200, 200)  # light grey, drawn ghosted
BAD_QUALITY_COLOR: RGB = (90, 90, 90)  # dark grey, drawn with edges
STALE_COLOR: RGB = (236, 233, 226)  # near-white, drawn with dark edges
UNKNOWN_STATE_COLOR: RGB = (255, 255, 255)  # a code missing from the state table
STRUCTURE_COLOR: RGB = (165, 170, 178)  # assets no signal colors

# Eleven evenly spaced samples of matplotlib's maps: enough for smooth linear
# interpolation, and no matplotlib import in the model layer.
_COLORMAP_SAMPLES: dict[str, list[RGB]] = {
    "viridis": [(68, 1, 84), (72, 36, 117), (65, 68, 135), (53, 95, 141), (42, 120, 142),
                (33, 145, 140), (34, 168, 132), (68, 191, 112), (122, 209, 81),
                (189, 223, 38), (253, 231, 37)],
    "cividis": [(0, 34, 78), (8, 51, 112), (53, 69, 108), (79, 87, 108), (102, 105, 112),
                (125, 124, 120), (148, 142, 119), (174, 163, 113), (200, 184, 102),
                (229, 207, 82), (254, 232, 56)],
    "plasma": [(13, 8, 135), (65, 4, 157), (106, 0, 168), (143, 13, 164), (177, 42, 144),
               (204, 71, 120), (225, 100, 98), (242, 132, 75), (252, 166, 54),
               (252, 206, 37), (240, 249, 33)],
    "coolwarm": [(59, 76, 192), (89, 119, 227), (123, 159, 249), (158, 190, 255),
                 (192, 212, 245), (221, 220, 220), (242, 203, 183), (247, 172, 142),
                 (238, 132, 104), (214, 82, 68), (180, 4, 38)],
}

COLORMAPS = tuple(_COLORMAP_SAMPLES)


def colormap_rgb(name: str, fractions: np.ndarray) -> np.ndarray:
    """Colors of ``fractions`` (clipped to 0..1) on colormap ``name``, as (n, 3) uint8."""
    table = np.asarray(_COLORMAP_SAMPLES[name], dtype=np.float64)
    stops = np.linspace(0.0, 1.0, len(table))
    t = np.clip(np.nan_to_num(np.asarray(fractions, dtype=np.float64), nan=0.0), 0.0, 1.0)
    channels = [np.interp(t, stops, table[:, c]) for c in range(3)]
    return np.rint(np.stack(channels, axis=-1)).astype(np.uint8)


def hex_to_rgb(text: str) -> RGB:
    """``"#RRGGBB"`` to an (r, g, b) tuple; raises ValueError on anything else."""
    if len(text) != 7 or text[0] != "#":
        raise ValueError(f"expected a color like '#1A2B3C', got {text!r}")
    return (int(text[1:3], 16), int(text[3:5], 16), int(text[5:7], 16))

