"""The one exception type the CLI turns into a single clear error line."""


class HarnessError(Exception):
    """A user-facing failure: bad input, a missing tool, a render that failed.

    The message must name the thing that is wrong (file, field, chart, check id);
    the CLI prints it as one line and exits non-zero, never a traceback.
    """
