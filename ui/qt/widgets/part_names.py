"""Names of mesh parts as people say them: "seal_head" -> "Seal head".

CAD exporters decorate node names ("seal_head_geometry_0", "Body.001",
"mesh_12"); the tree shows the component's own name unless the user asks for
the raw ones (View > Show raw part names).
"""

from __future__ import annotations

import re

# Exporter suffixes, repeated: "_geometry_0", "-mesh_12", ".001", "_mesh", "_Geometry"
_SUFFIX = re.compile(r"(?:[._\- ]+(?:geometry|mesh|shape|node|primitive)(?:[._\- ]*\d+)?"
                     r"|\.\d{3})$", re.IGNORECASE)
_GENERIC = re.compile(r"^(?:geometry|mesh|shape|node|primitive|object|part)?[._\- ]*(\d*)$",
                      re.IGNORECASE)


def part_display_name(raw: str) -> str:
    """A readable name for one part; a bare "mesh_12" becomes "Part 12"."""
    name = raw.strip()
    while True:
        shorter = _SUFFIX.sub("", name)
        if shorter == name or not shorter:
            break
        name = shorter
    generic = _GENERIC.match(name)
    if generic:
        return f"Part {generic.group(1)}".strip()
    words = re.sub(r"[_\-]+", " ", name)
    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", words)  # camelCase -> camel Case
    words = re.sub(r"\s+", " ", words).strip()
    return words[:1].upper() + words[1:]


def display_names(raw_names: list[str]) -> list[str]:
    """Readable names, made unique where two parts read the same ("Roller (2)")."""
    seen: dict[str, int] = {}
    out = []
    for raw in raw_names:
        name = part_display_name(raw)
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return out
