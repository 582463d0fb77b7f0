"""Bare VTK over a LineTwin project's meshes: the baseline of ``scale.py`` beside it.

What a plain VTK script would do with the same files: each distinct mesh file is
read once (``vtkSTLReader``; ``vtkGLTFReader`` with its parts merged for GLB) and
given normals once (``vtkPolyDataNormals``, split at 40° like LineTwin), one
mapper per file, and one ``vtkActor`` per asset sharing that mapper, placed by
``SetPosition`` (the scale line's assets are neither turned nor scaled). An
off-screen render window of the asked size. No labels, legend or floor.
Anti-aliasing as LineTwin's off-screen plotter does it (a ``vtkSSAAPass``, no
MSAA) unless told otherwise: VTK's default 4x MSAA triples a software-GL frame.

Run alone for the first-frame measurement:
``python benchmarks/scale/baseline.py PROJECT -o out.png [--size 1600x900]``.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from pathlib import Path

from vtkmodules.vtkFiltersCore import vtkPolyDataNormals
from vtkmodules.vtkFiltersGeometry import vtkCompositeDataGeometryFilter
from vtkmodules.vtkIOGeometry import vtkGLTFReader, vtkSTLReader
from vtkmodules.vtkIOImage import vtkPNGWriter
from vtkmodules.vtkRenderingOpenGL2 import vtkRenderStepsPass, vtkSSAAPass
from vtkmodules.vtkRenderingCore import (
    vtkActor,
    vtkPolyDataMapper,
    vtkRenderer,
    vtkRenderWindow,
    vtkWindowToImageFilter,
)
import vtkmodules.vtkRenderingOpenGL2  # noqa: F401 - registers the OpenGL render window

GREY = (0.78, 0.78, 0.78)


def read_surface(path: Path):
    """The file's triangles as one vtkPolyData with normals."""
    if path.suffix.lower() == ".glb":
        reader = vtkGLTFReader()
        reader.SetFileName(str(path))
        merged = vtkCompositeDataGeometryFilter()
        merged.SetInputConnection(reader.GetOutputPort())
        source = merged
    else:
        source = vtkSTLReader()
        source.SetFileName(str(path))
    normals = vtkPolyDataNormals()
    normals.SetInputConnection(source.GetOutputPort())
    normals.SplittingOn()
    normals.SetFeatureAngle(40.0)
    normals.AutoOrientNormalsOff()
    normals.Update()
    return normals.GetOutput()


def placed_meshes(project: Path) -> list[tuple[Path, tuple[float, float, float]]]:
    """(mesh file, position) of every asset with a mesh, read straight from the TOML."""
    doc = tomllib.loads(project.read_text())
    return [(project.parent / a["mesh"], tuple(a.get("position", (0.0, 0.0, 0.0))))
            for a in doc.get("assets", []) if a.get("mesh")]


def frame_line(renderer, dolly: float = 1.3) -> None:
    """Look at everything in ``renderer`` from the front-left, above (the direction
    of LineTwin's start view), the long side across the picture. ``scale.py``
    gives LineTwin's scene this same view for the orbit, so both draw the same
    pixels."""
    camera = renderer.GetActiveCamera()
    camera.SetViewAngle(30.0)
    renderer.ResetCamera()  # centre and distance for the bounding sphere
    focal, distance = camera.GetFocalPoint(), camera.GetDistance()
    direction = (-0.45, -1.0, 0.62)
    norm = sum(c * c for c in direction) ** 0.5
    camera.SetPosition(*(f + distance * c / norm for f, c in zip(focal, direction)))
    camera.SetViewUp(0.0, 0.0, 1.0)
    camera.Dolly(dolly)  # the sphere leaves much of the screen empty on a long line
    renderer.ResetCameraClippingRange()


class BareLine:
    """The line as bare VTK actors in an off-screen window."""

    def __init__(self, project: Path, size: tuple[int, int] = (1600, 900),
                 anti_aliasing: str = "ssaa", off_screen: bool = True) -> None:
        self.renderer = vtkRenderer()
        self.renderer.SetBackground(0.91, 0.93, 0.95)
        self.window = vtkRenderWindow()
        self.window.SetOffScreenRendering(off_screen)
        self.window.SetSize(*size)
        self.window.AddRenderer(self.renderer)
        self.set_anti_aliasing(anti_aliasing)
        mappers: dict[Path, vtkPolyDataMapper] = {}
        self.actors: list[vtkActor] = []
        for path, position in placed_meshes(project):
            mapper = mappers.get(path)
            if mapper is None:
                mapper = mappers[path] = vtkPolyDataMapper()
                mapper.SetInputData(read_surface(path))
                mapper.ScalarVisibilityOff()
            actor = vtkActor()
            actor.SetMapper(mapper)
            actor.SetPosition(*position)
            actor.GetProperty().SetColor(*GREY)
            self.renderer.AddActor(actor)
            self.actors.append(actor)
        self.camera = self.renderer.GetActiveCamera()
        frame_line(self.renderer)

    def set_anti_aliasing(self, kind: str) -> None:
        """"ssaa" (LineTwin's off-screen choice), "fxaa" (its window's), "msaa"
        (VTK's default 4x) or "none"."""
        self.window.SetMultiSamples(4 if kind == "msaa" else 0)
        self.renderer.SetUseFXAA(kind == "fxaa")
        if kind == "ssaa":
            ssaa = vtkSSAAPass()
            ssaa.SetDelegatePass(vtkRenderStepsPass())
            self.renderer.SetPass(ssaa)
        else:
            self.renderer.SetPass(None)

    def render(self) -> None:
        self.window.Render()

    def set_colors(self, rgb: tuple[float, float, float]) -> None:
        for actor in self.actors:
            actor.GetProperty().SetColor(*rgb)

    def write_png(self, out: Path) -> None:
        grab = vtkWindowToImageFilter()
        grab.SetInput(self.window)
        grab.ReadFrontBufferOff()
        grab.Update()
        writer = vtkPNGWriter()
        writer.SetFileName(str(out))
        writer.SetInputConnection(grab.GetOutputPort())
        writer.Write()

    def close(self) -> None:
        self.window.Finalize()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("-o", "--output", type=Path, required=True)
    parser.add_argument("--size", default="1600x900", help="WIDTHxHEIGHT")
    parser.add_argument("--anti-aliasing", choices=("ssaa", "fxaa", "msaa", "none"),
                        default="ssaa")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.lower().split("x"))
    line = BareLine(args.project, (width, height), args.anti_aliasing)
    line.render()
    line.write_png(args.output)
    line.close()
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
