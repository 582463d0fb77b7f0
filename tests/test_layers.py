"""The layer rules of DESIGN section 2, checked on the real import graph."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_twin_imports_no_gui_network_or_mesh_library():
    code = (
        "import sys, linetwin.twin, linetwin.twin.colors, linetwin.twin.state, "
        "linetwin.twin.geometry, linetwin.twin.model\n"
        "import pkgutil, importlib\n"
        "for m in pkgutil.iter_modules(linetwin.twin.__path__): "
        "importlib.import_module('linetwin.twin.' + m.name)\n"
        "bad = [m for m in ('PySide6', 'vtk', 'vtkmodules', 'pyvista', 'asyncua', 'trimesh', "
        "'duckdb') if m in sys.modules]\n"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_import_linter_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    out = subprocess.run([str(lint)], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stdout + out.stderr
