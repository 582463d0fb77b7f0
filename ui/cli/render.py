"""``linetwin render PROJECT -o FILE.png``: a PNG of the line, no display needed."""

from __future__ import annotations

import sys


def run_render(args) -> int:
    """Write the PNG; exit 1 with the reason for a bad project, state file, output or mesh."""
    from linetwin.io.mesh.mesh_cache import MeshCache, user_cache_folder
    from linetwin.io.mesh.meshes import load_line_geometry
    from linetwin.io.project.project_file import ProjectFileError, load_project
    from linetwin.io.project.state_file import StateFileError, load_state_file
    from linetwin.scene.render import render_line

    try:
        project = load_project(args.project)
        values = load_state_file(args.state, project) if args.state else {}
    except ProjectFileError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return 1
    except StateFileError as error:
        print(error, file=sys.stderr)
        return 1
    if args.output.suffix.lower() != ".png":
        print(f"{args.output}: the output must be a .png file", file=sys.stderr)
        return 1
    if not args.output.parent.resolve().is_dir():
        print(f"{args.output}: folder {args.output.parent} does not exist", file=sys.stderr)
        return 1
    geometries = load_line_geometry(project, cache=MeshCache(user_cache_folder()))
    broken = [g.problem or g.asset_id for g in geometries.values() if g.placeholder]
    for problem in broken:
        label = "warning" if args.allow_missing else "error"
        print(f"{label}: {problem}" + (" (drawn as a placeholder)" if args.allow_missing else ""),
              file=sys.stderr)
    if broken and not args.allow_missing:
        print(f"linetwin: {len(broken)} mesh{'es' if len(broken) > 1 else ''} could not be "
              "loaded; nothing written (--allow-missing draws them as placeholders)",
              file=sys.stderr)
        return 1
    render_line(project, geometries, values, args.output, size=args.size)
    print(f"wrote {args.output}")
    return 0
