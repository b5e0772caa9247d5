"""Errors that reach the user as one sentence and exit status 2."""


class InputError(ValueError):
    """Bad input from the user: the message is one clear sentence, shown without a traceback."""


class VerificationError(AssertionError):
    """A computed solution disagrees with its independent second method."""
