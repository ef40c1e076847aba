"""What the books refuse, in words a manager can read."""


class BooksError(Exception):
    """A bookkeeping operation refused (nothing was written)."""


class ClosureError(BooksError):
    """A closure that cannot be made (day not over, already closed, bad amount)."""


class AppendOnly(BooksError):
    """The sales journal and its closures are never updated nor deleted: a correction is a new entry."""
