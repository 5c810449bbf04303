"""The about page: how the site was built (steps, versions, parameters)."""

from __future__ import annotations

from mnistreport.render import tables
from mnistreport.declare import Chapter, Table

CHAPTER = Chapter(
    "about",
    tables=(Table("steps", tables.steps), Table("versions", tables.versions), Table("parameters", tables.parameters)),
)
