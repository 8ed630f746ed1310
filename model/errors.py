"""The small error hierarchy of linesift.

Library code raises these; only the CLI and the batch loop catch them, so a
caller always learns *which* input broke and why, never a bare traceback.
"""


class LinesiftError(Exception):
    """Base class of every error linesift raises on purpose."""


class InputError(LinesiftError):
    """A page or a training file cannot be read as asked.

    The message names the file (and the line, for training data) so that a user
    fixing a crawl of a million pages can find the one that broke.
    """


class EmptyPageError(InputError):
    """A page with no text at all (empty or only whitespace).

    Its own class because a crawl's empty responses are expected and counted
    apart (``error_kind`` ``empty``), not mixed with pages that failed to decode.
    """


class ModelError(LinesiftError):
    """A model file is missing, corrupt, tampered with, or from another version."""
