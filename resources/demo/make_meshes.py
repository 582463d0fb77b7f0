"""Generate the demo packaging line's station meshes (one multi-part GLB each).

Writes into resources/demo/meshes/ next to this script:
    infeed_conveyor.glb, filler.glb, heat_sealer.glb, vision_tunnel.glb,
    labeler.glb, case_packer.glb, outfeed_conveyor.glb
and (make_component_meshes.py) the components SOP steps pick.

Rerun from the repository root with:
    /tmp/venv/bin/python resources/demo/make_meshes.py   (any Python with trimesh)

Conventions (line.toml relies on them): metres, Z up, product flows along +X.
The operator aisle is on -Y: the
side the recognisable parts (HMIs, label head, reject bin) face. Each mesh's
origin is the centre of the station footprint on the floor (z=0),
the product path runs along y=0 with the belt top at BELT_TOP. Vertices are
written in these coordinates with identity node transforms and NO Y-up
conversion (trimesh neither adds nor removes one), so reading the GLB back
with trimesh gives Z-up world coordinates directly. Every part is its own
named node/mesh so the loader can keep it as a named component. The output is
deterministic: primitives only, no randomness.
"""

from pathlib import Path

import numpy as np
import trimesh
import trimesh.transformations as tf
from trimesh.creation import annulus, box, cone, cylinder
from trimesh.visual.material import PBRMaterial

OUT_DIR = Path(__file__).resolve().parent / "meshes"
BELT_TOP = 0.90  # belt surface height, shared by every station so packs line up
SECTIONS = 24  # cylinder segments: round enough, keeps triangle counts low

STEEL = (185, 190, 196)
DARK = (70, 72, 78)
BELT = (35, 35, 38)
BLUE = (45, 95, 165)
TRAY = (236, 234, 226)
CARDBOARD = (186, 146, 92)
RED = (200, 55, 40)
AMBER = (235, 165, 30)
GREEN = (60, 170, 80)
WHITE = (245, 245, 240)
GLASS = (30, 40, 60)


class Parts:
    """Collects named, coloured parts and turns them into a trimesh.Scene."""

    def __init__(self):
        self.items = []

    def add(self, name, mesh, color=STEEL):
        if isinstance(mesh, (list, tuple)):  # one part made of several primitives
            mesh = trimesh.util.concatenate(mesh)
        # A plain PBR material per part: small, survives the GLB round trip.
        mesh.visual = trimesh.visual.TextureVisuals(
            material=PBRMaterial(
                name=name, baseColorFactor=[*color, 255], metallicFactor=0.2, roughnessFactor=0.6
            )
        )
        self.items.append((name, mesh))

    def mirror_y(self, start):
        """Mirror the parts added since index start to the other side (y -> -y)."""
        flip = np.diag([1.0, -1.0, 1.0, 1.0])  # trimesh fixes the winding itself
        for _, mesh in self.items[start:]:
            mesh.apply_transform(flip)

    def scene(self):
        scene = trimesh.Scene()
        for name, mesh in self.items:
            scene.add_geometry(mesh, geom_name=name, node_name=name)
        return scene


def blk(x0, x1, y0, y1, z0, z1):
    """Axis-aligned box from its bounds."""
    return box(bounds=[[x0, y0, z0], [x1, y1, z1]])


def rod(p0, p1, r):
    """Cylinder between two points."""
    return cylinder(radius=r, segment=[p0, p1], sections=SECTIONS)


def open_box(x0, x1, y0, y1, z0, z1, t=0.01):
    """A box without a lid (bin, case being filled): a floor and four walls."""
    return [
        blk(x0, x1, y0, y1, z0, z0 + t),
        blk(x0, x1, y0, y0 + t, z0, z1),
        blk(x0, x1, y1 - t, y1, z0, z1),
        blk(x0, x0 + t, y0, y1, z0, z1),
        blk(x1 - t, x1, y0, y1, z0, z1),
    ]


def feet(parts, hx, hy, h=0.08):
    """Four levelling feet under a cabinet of half-size hx, hy."""
    for i, (sx, sy) in enumerate([(-1, -1), (1, -1), (-1, 1), (1, 1)]):
        c = (sx * (hx - 0.06), sy * (hy - 0.06))
        parts.add(f"foot_{i}", rod((*c, 0.0), (*c, h), 0.03), DARK)


def cabinet(parts, hx, hy, top=0.80):
    """Machine base: a stainless cabinet on feet, the conveyor runs over it."""
    feet(parts, hx, hy)
    parts.add("base_cabinet", blk(-hx, hx, -hy, hy, 0.08, top), STEEL)


def pass_conveyor(parts, x0, x1, width=0.5, prefix=""):
    """Short belt running through a machine: side rails, end drums, belt."""
    w = width / 2
    z = BELT_TOP
    for side, s in (("left", 1), ("right", -1)):
        parts.add(f"{prefix}rail_{side}", blk(x0, x1, s * w, s * (w + 0.04), z - 0.10, z - 0.012), DARK)
    for i, x in enumerate((x0 + 0.04, x1 - 0.04)):
        parts.add(f"{prefix}drum_{i}", rod((x, -w, z - 0.04), (x, w, z - 0.04), 0.035), DARK)
    parts.add(f"{prefix}belt", blk(x0 + 0.01, x1 - 0.01, -w + 0.02, w - 0.02, z - 0.01, z), BELT)


def trays(parts, xs, prefix="pack"):
    """Product packs: shallow food trays sitting on the belt."""
    for i, x in enumerate(xs):
        parts.add(f"{prefix}_{i}", blk(x - 0.10, x + 0.10, -0.07, 0.07, BELT_TOP, BELT_TOP + 0.05), TRAY)


def stack_light(parts, x, y, z0):
    """Signal tower: pole and green/amber/red segments (recognisable at a glance)."""
    parts.add("stack_light_pole", rod((x, y, z0), (x, y, z0 + 0.08), 0.012), DARK)
    for i, (name, col) in enumerate((("green", GREEN), ("amber", AMBER), ("red", RED))):
        zb = z0 + 0.08 + i * 0.05
        parts.add(f"stack_light_{name}", rod((x, y, zb), (x, y, zb + 0.045), 0.03), col)


# ---------------------------------------------------------------- machines


def conveyor(length, inner_width, loads):
    """Roller-bed belt conveyor. loads: list of (name, x, (lx, ly, lz), color)."""
    p = Parts()
    hl, w = length / 2, inner_width / 2
    z = BELT_TOP
    rail_z0, rail_z1 = z - 0.13, z - 0.015
    for side, s in (("left", 1), ("right", -1)):
        p.add(f"rail_{side}", blk(-hl, hl, s * w, s * (w + 0.045), rail_z0, rail_z1), STEEL)
    # Carrying rollers span the full inner width; the belt is narrower, so the
    # roller ends stay visible between belt edge and rail, as on a real bed.
    n = 20
    for i, x in enumerate(np.linspace(-hl + 0.16, hl - 0.16, n)):
        p.add(f"roller_{i:02d}", rod((x, -w, z - 0.035), (x, w, z - 0.035), 0.025), DARK)
    for i, x in enumerate((-hl + 0.06, hl - 0.06)):
        p.add(f"drum_{i}", rod((x, -w, z - 0.05), (x, w, z - 0.05), 0.04), DARK)
    p.add("belt", blk(-hl + 0.02, hl - 0.02, -w + 0.04, w - 0.04, z - 0.01, z), BELT)
    # Product guides ride above the belt edges on brackets.
    gy = w - 0.02
    for side, s in (("left", 1), ("right", -1)):
        p.add(f"guide_{side}", rod((-hl + 0.05, s * gy, z + 0.06), (hl - 0.05, s * gy, z + 0.06), 0.008), STEEL)
    # Three leg pairs with a cross brace each and one long stringer per side.
    leg_x = (-hl + 0.15, 0.0, hl - 0.15)
    for i, x in enumerate(leg_x):
        for side, s in (("l", 1), ("r", -1)):
            y = s * (w + 0.02)
            p.add(f"leg_{i}{side}", blk(x - 0.025, x + 0.025, y - 0.025, y + 0.025, 0.0, rail_z0), STEEL)
        p.add(f"brace_{i}", blk(x - 0.02, x + 0.02, -w, w, 0.22, 0.26), STEEL)
    for side, s in (("left", 1), ("right", -1)):
        y = s * (w + 0.02)
        p.add(f"stringer_{side}", blk(leg_x[0], leg_x[-1], y - 0.02, y + 0.02, 0.22, 0.26), STEEL)
    # Drive at the discharge end on -Y, push-button station on +Y (balances footprint).
    xd = hl - 0.12
    p.add("gearbox", blk(xd - 0.08, xd + 0.08, -w - 0.045, -w - 0.16, z - 0.17, z - 0.01), BLUE)
    p.add("motor", rod((xd, -w - 0.16, z - 0.09), (xd, -w - 0.34, z - 0.09), 0.065), BLUE)
    p.add("control_post", blk(-hl + 0.3, -hl + 0.34, w + 0.23, w + 0.27, 0.0, 1.05), STEEL)
    p.add("control_box", blk(-hl + 0.26, -hl + 0.38, w + 0.19, w + 0.34, 1.05, 1.2), (220, 200, 40))
    p.add("e_stop", rod((-hl + 0.32, w + 0.265, 1.2), (-hl + 0.32, w + 0.265, 1.23), 0.025), RED)
    for name, x, (lx, ly, lz), col in loads:
        p.add(name, blk(x - lx / 2, x + lx / 2, -ly / 2, ly / 2, z, z + lz), col)
    return p


def infeed_conveyor():
    packs = [(f"pack_{i}", x, (0.20, 0.14, 0.05), TRAY) for i, x in enumerate((-1.0, -0.45, 0.1, 0.65))]
    return conveyor(2.8, 0.50, packs)


def outfeed_conveyor():
    cases = [(f"case_{i}", x, (0.40, 0.30, 0.25), CARDBOARD) for i, x in enumerate((-0.8, -0.05, 0.7))]
    return conveyor(2.8, 0.56, cases)


def filler():
    """Multi-head filler: tank on the guard roof feeds a manifold of nozzles."""
    p = Parts()
    hx, hy, top, roof = 0.85, 0.5, 0.80, 1.72
    cabinet(p, hx, hy, top)
    pass_conveyor(p, -0.9, 0.9)
    # Open guard frame: four posts and a ring of top rails, one beam across.
    for i, (sx, sy) in enumerate([(-1, -1), (1, -1), (-1, 1), (1, 1)]):
        x, y = sx * (hx - 0.03), sy * (hy - 0.03)
        p.add(f"guard_post_{i}", blk(x - 0.03, x + 0.03, y - 0.03, y + 0.03, top, roof), STEEL)
    p.add("guard_top_front", blk(-hx, hx, hy - 0.06, hy, roof - 0.06, roof), STEEL)
    p.add("guard_top_back", blk(-hx, hx, -hy, -hy + 0.06, roof - 0.06, roof), STEEL)
    p.add("guard_top_left", blk(-hx, -hx + 0.06, -hy, hy, roof - 0.06, roof), STEEL)
    p.add("guard_top_right", blk(hx - 0.06, hx, -hy, hy, roof - 0.06, roof), STEEL)
    p.add("top_beam", blk(-hx, hx, -0.05, 0.05, roof - 0.08, roof), STEEL)
    p.add("guard_panel_back", blk(-hx + 0.06, hx - 0.06, hy - 0.01, hy, top, 1.3), (170, 200, 215))
    # Product tank sits on the beam: cylinder, conical lid and outlet pipe.
    p.add("tank", [rod((0, 0, roof), (0, 0, roof + 0.05), 0.08),
                   rod((0, 0, roof + 0.05), (0, 0, 2.0), 0.30)], STEEL)
    p.add("tank_lid", cone(0.30, 0.12, sections=SECTIONS, transform=tf.translation_matrix((0, 0, 2.0))), STEEL)
    p.add("feed_pipe", rod((0, 0, roof - 0.08), (0, 0, 1.38), 0.03), STEEL)
    # Nozzle manifold hangs from the beam on two rods, six nozzles point down.
    p.add("manifold", blk(-0.48, 0.48, -0.06, 0.06, 1.30, 1.38), STEEL)
    for i, x in enumerate((-0.4, 0.4)):
        p.add(f"hanger_{i}", rod((x, 0, 1.38), (x, 0, roof - 0.08), 0.02), STEEL)
    for i, x in enumerate(np.linspace(-0.375, 0.375, 6)):
        flip = tf.rotation_matrix(np.pi, (1, 0, 0))  # tip points down
        tip = cone(0.018, 0.04, sections=SECTIONS, transform=tf.translation_matrix((x, 0, 1.069)) @ flip)
        p.add(f"nozzle_{i}", [rod((x, 0, 1.07), (x, 0, 1.30), 0.018), tip], STEEL)
    p.add("hmi", blk(0.3, 0.7, -hy - 0.06, -hy, 1.15, 1.45), DARK)
    p.add("electrical_box", blk(-0.6, -0.1, hy, hy + 0.1, 0.2, 0.7), BLUE)
    trays(p, (-0.5, 0.0, 0.45))
    return p


def heat_sealer():
    """Tray sealer: seal head on four guide columns, pneumatic cylinder, film reel."""
    p = Parts()
    hx, hy, top = 0.7, 0.45, 0.80
    cabinet(p, hx, hy, top)
    pass_conveyor(p, -0.8, 0.8)
    for i, (sx, sy) in enumerate([(-1, -1), (1, -1), (-1, 1), (1, 1)]):
        c = (sx * 0.35, sy * 0.34)
        p.add(f"guide_column_{i}", rod((*c, top), (*c, 1.78), 0.035), STEEL)
    p.add("crosshead", blk(-0.45, 0.45, -0.42, 0.42, 1.78, 1.88), STEEL)
    p.add("seal_cylinder", rod((0, 0, 1.88), (0, 0, 2.15), 0.10), BLUE)
    p.add("piston_rod", rod((0, 0, 1.40), (0, 0, 1.78), 0.03), STEEL)
    p.add("seal_head", blk(-0.42, 0.42, -0.40, 0.40, 1.18, 1.40), STEEL)
    p.add("heater_jaw", blk(-0.26, 0.26, -0.22, 0.22, 1.06, 1.18), RED)
    # Lidding film unwinds from a reel upstream of the head.
    p.add("film_reel", [rod((-0.55, -0.25, 1.52), (-0.55, 0.25, 1.52), 0.12),
                        rod((-0.55, -0.33, 1.52), (-0.55, 0.33, 1.52), 0.02)], (225, 230, 245))
    for i, s in enumerate((-1, 1)):
        p.add(f"reel_bracket_{i}", blk(-0.57, -0.35, s * 0.33 - 0.015, s * 0.33 + 0.015, 1.50, 1.54), STEEL)
    p.add("control_box", blk(0.15, 0.6, hy, hy + 0.2, 0.95, 1.45), BLUE)
    p.add("temp_display", blk(0.25, 0.5, hy + 0.2, hy + 0.21, 1.3, 1.4), GLASS)
    p.add("pneumatic_panel", blk(-0.6, -0.15, -hy - 0.2, -hy, 0.25, 0.7), DARK)
    trays(p, (-0.5, 0.0, 0.5))
    return p


def vision_tunnel():
    """Inspection tunnel: hood over the belt, three cameras, ring light, reject bin."""
    p = Parts()
    hx, hy, top = 0.6, 0.35, 0.80
    cabinet(p, hx, hy, top)
    pass_conveyor(p, -0.7, 0.7)
    # Hood walls start above the packs so the product stays visible in the tunnel.
    p.add("hood_left", blk(-0.5, 0.5, 0.34, 0.37, 1.05, 1.5), (210, 212, 216))
    p.add("hood_right", blk(-0.5, 0.5, -0.37, -0.34, 1.05, 1.5), (210, 212, 216))
    p.add("hood_roof", blk(-0.5, 0.5, -0.37, 0.37, 1.5, 1.54), (210, 212, 216))
    for i, (sx, sy) in enumerate([(-1, -1), (1, -1), (-1, 1), (1, 1)]):
        x, y = sx * 0.48, sy * 0.355
        p.add(f"hood_post_{i}", blk(x - 0.02, x + 0.02, y - 0.015, y + 0.015, top, 1.05), STEEL)
    # Top camera looks straight down through the roof, inside a ring light.
    p.add("camera_top", rod((0, 0, 1.58), (0, 0, 1.76), 0.045), DARK)
    p.add("lens_top", rod((0, 0, 1.48), (0, 0, 1.58), 0.028), GLASS)
    p.add("light_ring", annulus(r_min=0.09, r_max=0.16, height=0.03, sections=48,
                                transform=tf.translation_matrix((0, 0, 1.555))), WHITE)
    # Side cameras sit outside the walls, tilted down at the pack centre.
    target = np.array([0.0, 0.0, BELT_TOP + 0.03])
    for name, s in (("left", 1), ("right", -1)):
        back = np.array([0.0, s * 0.62, 1.42])
        d = (target - back) / np.linalg.norm(target - back)
        mid = back + d * 0.16
        p.add(f"camera_{name}", rod(back, mid, 0.04), DARK)
        p.add(f"lens_{name}", rod(mid, mid + d * 0.08, 0.026), GLASS)
        p.add(f"camera_bracket_{name}", blk(-0.03, 0.03, min(s * 0.37, s * 0.6), max(s * 0.37, s * 0.6), 1.44, 1.47), STEEL)
    # Reject: pusher on +Y knocks bad packs down a chute into a bin on -Y.
    p.add("reject_pusher", [rod((0.45, 0.36, 0.95), (0.45, 0.62, 0.95), 0.035),
                            blk(0.4, 0.5, 0.33, 0.36, 0.91, 0.99)], BLUE)
    start = len(p.items)
    chute = blk(0.32, 0.58, -0.2, 0.2, -0.008, 0.008)
    chute.apply_transform(tf.rotation_matrix(-np.radians(50), (1, 0, 0)))
    chute.apply_translation((0, 0.5, 0.72))
    p.add("reject_chute", chute, STEEL)
    p.add("reject_bin", open_box(0.28, 0.62, 0.42, 0.76, 0.0, 0.45), RED)
    p.mirror_y(start)  # chute and bin built on +Y, they belong on the aisle side
    p.add("vision_pc", blk(-0.55, -0.1, hy, 0.72, 0.1, 0.7), DARK)
    stack_light(p, 0.42, 0.3, 1.54)
    trays(p, (-0.35, 0.15))
    return p


def labeler():
    """Pressure-sensitive labeler: horizontal label reel on a column, tamp arm."""
    p = Parts()
    hx, hy, top = 0.7, 0.4, 0.80
    cabinet(p, hx, hy, top)
    pass_conveyor(p, -0.8, 0.8)
    # Labelling head stands beside the line (built on +Y, mirrored to the
    # aisle side below): column, deck, reels.
    start = len(p.items)
    p.add("head_base", blk(-0.35, -0.05, 0.45, 0.75, 0.0, 0.05), DARK)
    p.add("head_column", blk(-0.24, -0.16, 0.56, 0.64, 0.05, 1.7), STEEL)
    p.add("reel_deck", blk(-0.6, 0.35, 0.36, 0.76, 1.32, 1.36), STEEL)
    p.add("reel_spindle", rod((-0.3, 0.56, 1.36), (-0.3, 0.56, 1.56), 0.02), DARK)
    p.add("label_reel", annulus(r_min=0.06, r_max=0.24, height=0.09, sections=48,
                                transform=tf.translation_matrix((-0.3, 0.56, 1.41))), WHITE)
    p.add("reel_core", annulus(r_min=0.022, r_max=0.06, height=0.1, sections=SECTIONS,
                               transform=tf.translation_matrix((-0.3, 0.56, 1.41))), DARK)
    p.add("rewind_spindle", rod((0.15, 0.6, 1.36), (0.15, 0.6, 1.52), 0.02), DARK)
    p.add("rewind_reel", rod((0.15, 0.6, 1.37), (0.15, 0.6, 1.45), 0.09), (200, 200, 190))
    # Applicator arm reaches over the belt; a tamp cylinder presses the label on.
    p.add("applicator_arm", blk(0.35, 0.47, 0.0, 0.62, 1.22, 1.29), BLUE)
    p.add("tamp_cylinder", rod((0.41, 0.0, 1.05), (0.41, 0.0, 1.22), 0.03), STEEL)
    p.add("tamp_pad", blk(0.33, 0.49, -0.07, 0.07, 1.02, 1.05), DARK)
    p.add("label_sensor", blk(0.0, 0.05, 0.25, 0.30, 0.90, 1.0), AMBER)
    p.mirror_y(start)
    p.add("control_cabinet", blk(-0.35, 0.3, hy, 0.75, 0.1, 1.35), BLUE)
    p.add("hmi", blk(-0.25, 0.2, 0.75, 0.77, 1.0, 1.28), GLASS)
    trays(p, (-0.45, 0.05, 0.5))
    return p


def case_packer():
    """Pick-and-place case packer: open frame, gantry pick head, carton magazine."""
    p = Parts()
    hx, hy, roof = 0.95, 0.75, 1.95
    feet(p, hx, hy)
    p.add("base", blk(-hx, hx, -hy, hy, 0.08, 0.3), STEEL)
    # Frame: six posts, a top ring and a mid rail ring; left open to show inside.
    post_xy = [(sx * (hx - 0.03), sy * (hy - 0.03)) for sx in (-1, 0, 1) for sy in (-1, 1)]
    for i, (x, y) in enumerate(post_xy):
        p.add(f"frame_post_{i}", blk(x - 0.03, x + 0.03, y - 0.03, y + 0.03, 0.3, roof), STEEL)
    for z0, tag in ((roof - 0.06, "top"), (1.05, "mid")):
        p.add(f"frame_{tag}_front", blk(-hx, hx, hy - 0.06, hy, z0, z0 + 0.06), STEEL)
        p.add(f"frame_{tag}_back", blk(-hx, hx, -hy, -hy + 0.06, z0, z0 + 0.06), STEEL)
        p.add(f"frame_{tag}_left", blk(-hx, -hx + 0.06, -hy, hy, z0, z0 + 0.06), STEEL)
        p.add(f"frame_{tag}_right", blk(hx - 0.06, hx, -hy, hy, z0, z0 + 0.06), STEEL)
    p.add("guard_panel_back", blk(-hx + 0.06, hx - 0.06, hy - 0.01, hy, 0.3, 1.05), (170, 200, 215))
    # Product comes in on a belt (x<0); filled cases leave on a wider belt (x>0).
    p.add("product_belt", blk(-1.0, 0.05, -0.23, 0.23, BELT_TOP - 0.04, BELT_TOP), BELT)
    p.add("case_belt", blk(0.1, 1.0, -0.28, 0.28, BELT_TOP - 0.06, BELT_TOP - 0.02), BELT)
    p.add("belt_stand", [blk(-0.9, -0.8, -0.15, 0.15, 0.3, BELT_TOP - 0.04),
                         blk(0.85, 0.95, -0.15, 0.15, 0.3, BELT_TOP - 0.06),
                         blk(-0.9, 0.95, -0.1, 0.1, 0.55, 0.6)], STEEL)
    trays(p, (-0.75, -0.5, -0.25))
    p.add("case_open", open_box(0.15, 0.55, -0.15, 0.15, BELT_TOP - 0.02, BELT_TOP + 0.23), CARDBOARD)
    p.add("case_closed", blk(0.58, 0.98, -0.15, 0.15, BELT_TOP - 0.02, BELT_TOP + 0.23), CARDBOARD)
    # Carton magazine on -Y: a rack holding a stack of flat blanks on edge.
    p.add("magazine_rack", [blk(-0.4, 0.5, -0.72, -0.38, 0.3, 0.36)]
          + [rod((x, y, 0.36), (x, y, 1.0), 0.012) for x in (-0.38, 0.48) for y in (-0.7, -0.4)], DARK)
    p.add("carton_blanks", [blk(-0.3 + i * 0.09, -0.3 + i * 0.09 + 0.012, -0.7, -0.4, 0.36, 0.98)
                            for i in range(9)], CARDBOARD)
    # Gantry: X beam on the top ring, carriage, vertical axis, vacuum pick head.
    p.add("gantry_beam", blk(-hx, hx, -0.08, 0.08, roof - 0.16, roof - 0.06), BLUE)
    p.add("carriage", blk(-0.45, -0.15, -0.14, 0.14, roof - 0.26, roof - 0.16), BLUE)
    p.add("z_axis", blk(-0.34, -0.26, -0.05, 0.05, 1.18, roof - 0.26), STEEL)
    p.add("pick_head", blk(-0.45, -0.15, -0.12, 0.12, 1.12, 1.18), DARK)
    for i, (x, y) in enumerate([(-0.38, -0.06), (-0.22, -0.06), (-0.38, 0.06), (-0.22, 0.06)]):
        p.add(f"suction_cup_{i}", rod((x, y, 1.06), (x, y, 1.12), 0.025), BELT)
    p.add("hmi", blk(0.45, 0.85, -hy - 0.06, -hy, 1.15, 1.45), DARK)
    stack_light(p, hx - 0.1, hy - 0.1, roof)
    return p


STATIONS = {
    "infeed_conveyor": infeed_conveyor,
    "filler": filler,
    "heat_sealer": heat_sealer,
    "vision_tunnel": vision_tunnel,
    "labeler": labeler,
    "case_packer": case_packer,
    "outfeed_conveyor": outfeed_conveyor,
}


def write_glbs(builders, out_dir: Path = OUT_DIR) -> None:
    """Build each mesh and write it as ``out_dir/NAME.glb``, saying what was written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, build in builders.items():
        scene = build().scene()
        path = out_dir / f"{name}.glb"
        path.write_bytes(scene.export(file_type="glb"))
        tris = sum(len(g.faces) for g in scene.geometry.values())
        print(f"{path.name}: {len(scene.geometry)} parts, {tris} triangles, "
              f"bounds {np.round(scene.bounds, 3).tolist()}")


def main():
    write_glbs(STATIONS)
    import make_component_meshes  # the components SOP steps aim at, built from these helpers

    make_component_meshes.main()


if __name__ == "__main__":
    main()
