"""The about page (``about``): how the site was built: its steps with the libraries that computed them, the
libraries' versions, the parameters."""

from __future__ import annotations

import pandas as pd

from mnistreport import __version__
from mnistreport.engine.run import BuildInfo
from mnistreport.engine.nodes import Chapter
from mnistreport.render.tables import TableWords

about = Chapter("about")


@about.fact
def versions(build: BuildInfo) -> dict[str, str]:
    """The release of every library that computed a published result (each is in that result's key), and ours."""
    found = {"mnistreport": __version__}
    for record in build.records:
        found.update(record.libraries)
    return {name: found[name] for name in sorted(found, key=str.lower)}


@about.table("steps")
def steps(build: BuildInfo, words: TableWords) -> pd.DataFrame:
    """How long each step took when it was computed, and with which libraries (a cached build shows the same)."""
    rows = [[words.get(f"step_{record.name}", record.name), f"{record.seconds:.2f}",
             ", ".join(f"{name} {version}" for name, version in record.libraries.items() if name != "python")]
            for record in build.records]
    return pd.DataFrame(rows, columns=[words["step"], words["seconds"], words["libraries"]])


@about.table("versions")
def versions_table(versions: dict[str, str], words: TableWords) -> pd.DataFrame:
    """The versions of Python and of every library that computed what the site shows."""
    return pd.DataFrame(list(versions.items()), columns=[words["package"], words["version"]])


@about.table("parameters")
def parameters(build: BuildInfo, words: TableWords) -> pd.DataFrame:
    """Every parameter of the build, as read from the parameter file."""
    rows = []
    for section, values in build.parameters.items():
        for name, value in values.items():
            shown = ", ".join(str(v) for v in value) if isinstance(value, (list, tuple)) else str(value)
            rows.append([f"{section}.{name}", shown])
    return pd.DataFrame(rows, columns=[words["parameter"], words["value"]])
