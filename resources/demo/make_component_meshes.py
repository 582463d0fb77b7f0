"""Generate the demo line's component meshes: parts an SOP step aims at (pick it in 3D).

Writes into resources/demo/meshes/ next to this script, one small GLB per
component (line.toml lists them as level "component" under their station):
    sealer_seal_head.glb, sealer_temperature_controller.glb, sealer_isolator.glb,
    labeler_applicator.glb, labeler_label_roll.glb, labeler_guard.glb,
    labeler_isolator.glb, inspection_camera.glb

Rerun from the repository root with (any Python with trimesh):
    .venv/bin/python resources/demo/make_component_meshes.py
(make_meshes.py runs this too.)

Each mesh is built in its station's coordinates (make_meshes.py's conventions:
metres, Z up, origin at the centre of the station footprint, aisle on -Y), so a
component's position in line.toml is its station's. A component that is also a
part of the station mesh (the seal head, the label roll, the top camera) is a
shell a few millimetres larger than that part, so it hides the part and a click
there picks the component, without the two surfaces fighting for the same pixels.
Isolators (lockout switches) and the controller sit on the cabinet fronts facing
the aisle, where an operator reaches them.
"""

from pathlib import Path

import trimesh.transformations as tf
from trimesh.creation import annulus

from make_meshes import AMBER, BLUE, DARK, GLASS, RED, Parts, blk, rod, write_glbs

OUT_DIR = Path(__file__).resolve().parent / "meshes"
POLYCARBONATE = (170, 200, 215)
HEAD_STEEL = (150, 156, 166)
LABEL_STOCK = (250, 246, 228)


def isolator(front_y, x0=0.42, x1=0.62, z0=0.38, z1=0.62):
    """Rotary isolator on a cabinet front (y = front_y): red box, yellow plate,
    black handle with a padlock hasp. Lockout = handle off and padlocked."""
    p = Parts()
    y0 = front_y - 0.07
    p.add("isolator_box", blk(x0, x1, y0, front_y, z0, z1), RED)
    xm, zm = (x0 + x1) / 2, (z0 + z1) / 2
    p.add("isolator_plate", blk(xm - 0.07, xm + 0.07, y0 - 0.005, y0, zm - 0.07, zm + 0.07), AMBER)
    p.add("isolator_handle", [rod((xm, y0 - 0.005, zm), (xm, y0 - 0.04, zm), 0.03),
                              blk(xm - 0.065, xm + 0.065, y0 - 0.06, y0 - 0.035, zm - 0.015, zm + 0.015)], DARK)
    p.add("lockout_hasp", blk(xm + 0.045, xm + 0.06, y0 - 0.03, y0 - 0.005, zm - 0.06, zm - 0.03), DARK)
    return p


def sealer_seal_head():
    """Over the station's seal head (0.84 x 0.80 x 0.22 m at z 1.18-1.40)."""
    p = Parts()
    p.add("seal_head_shell", blk(-0.43, 0.43, -0.41, 0.41, 1.17, 1.41), HEAD_STEEL)
    p.add("seal_head_nameplate", blk(-0.15, 0.15, -0.415, -0.41, 1.24, 1.35), BLUE)
    return p


def sealer_temperature_controller():
    """Panel controller on the cabinet front: housing, display, red digits, keys."""
    p = Parts()
    front = -0.45
    p.add("controller_housing", blk(0.05, 0.33, front - 0.05, front, 0.48, 0.72), DARK)
    p.add("controller_display", blk(0.09, 0.29, front - 0.055, front - 0.05, 0.60, 0.69), GLASS)
    p.add("controller_digits", blk(0.11, 0.27, front - 0.058, front - 0.055, 0.625, 0.665), RED)
    for i, x in enumerate((0.12, 0.19, 0.26)):
        p.add(f"controller_key_{i}", rod((x, front - 0.05, 0.53), (x, front - 0.062, 0.53), 0.015), AMBER)
    return p


def labeler_applicator():
    """Tamp applicator over the belt: a shell over the station's tamp cylinder and pad."""
    p = Parts()
    p.add("applicator_cylinder", rod((0.41, 0.0, 1.055), (0.41, 0.0, 1.215), 0.04), BLUE)
    p.add("applicator_pad", blk(0.32, 0.50, -0.085, 0.085, 1.01, 1.055), DARK)
    return p


def labeler_label_roll():
    """The roll of labels on the aisle-side reel deck (over the station's reel)."""
    p = Parts()
    roll = annulus(r_min=0.055, r_max=0.25, height=0.10, sections=48,
                   transform=tf.translation_matrix((-0.3, -0.56, 1.41)))
    p.add("label_roll", roll, LABEL_STOCK)
    return p


def labeler_guard():
    """Hinged polycarbonate guard between the aisle and the applicator, on two posts."""
    p = Parts()
    y = -0.35
    p.add("guard_panel", blk(0.22, 0.62, y - 0.008, y + 0.008, 0.92, 1.20), POLYCARBONATE)
    for i, x in enumerate((0.21, 0.63)):
        p.add(f"guard_post_{i}", rod((x, y, 0.80), (x, y, 1.20), 0.012), DARK)
    p.add("guard_interlock", blk(0.56, 0.61, y - 0.035, y - 0.008, 1.10, 1.16), AMBER)
    return p


def inspection_camera():
    """The top camera looking down through the hood roof (over the station's camera)."""
    p = Parts()
    p.add("camera_housing", rod((0, 0, 1.575), (0, 0, 1.77), 0.052), (38, 40, 46))
    p.add("camera_cable_gland", rod((0, 0, 1.77), (0, 0, 1.80), 0.016), AMBER)
    p.add("camera_lens", rod((0, 0, 1.475), (0, 0, 1.575), 0.032), GLASS)
    return p


COMPONENTS = {
    "sealer_seal_head": sealer_seal_head,
    "sealer_temperature_controller": sealer_temperature_controller,
    "sealer_isolator": lambda: isolator(front_y=-0.45),
    "labeler_applicator": labeler_applicator,
    "labeler_label_roll": labeler_label_roll,
    "labeler_guard": labeler_guard,
    "labeler_isolator": lambda: isolator(front_y=-0.40),
    "inspection_camera": inspection_camera,
}


def main():
    write_glbs(COMPONENTS, OUT_DIR)


if __name__ == "__main__":
    main()
