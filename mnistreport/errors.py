"""The one base class of the errors a user can act on.

Every error this package raises on purpose derives from :class:`ReportError`, so the
command line catches it (and ``OSError``) in one place and prints one line naming the
file and line, or the node, that failed; the traceback only with ``--verbose``.
"""

from __future__ import annotations


class ReportError(Exception):
    """A problem the message names precisely (a file and line, a setting, a node)."""
