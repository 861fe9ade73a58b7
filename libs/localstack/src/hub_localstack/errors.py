"""Errors the stack reports to a person: one line, naming the fix."""


class StackError(RuntimeError):
    """A problem starting or stopping the stack; ``str()`` is the one-line message."""
