"""``linetwin check PROJECT [--json]``: validate a project file and every mesh."""

from __future__ import annotations


def run_check(args) -> int:
    """Problems as ``FILE:LINE: message`` and exit 1, or a summary and exit 0."""
    from linetwin.io.mesh.mesh_cache import MeshCache, user_cache_folder
    from linetwin.io.project.project_check import check_project

    report = check_project(args.project, cache=MeshCache(user_cache_folder()))
    if args.json:
        import json

        print(json.dumps(report.as_json(), ensure_ascii=False, indent=2, allow_nan=False))
        return 0 if report.ok else 1
    for problem in report.problems:
        print(problem)
    for warning in report.warnings:
        print(f"{warning.file}:{warning.line}: warning: {warning.message}"
              if warning.line is not None else f"{warning.file}: warning: {warning.message}")
    if report.problems:
        return 1
    print(report.summary)
    return 0
