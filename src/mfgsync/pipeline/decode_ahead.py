"""Decoding the next messages while the store commits a batch.

A batch's commit is the store writing its pages (SQLite) or waiting for the server (PostgreSQL),
with Python's interpreter lock let go; decoding the messages of the next batch needs nothing
from the store. So while a commit runs, a second thread decodes the messages that come next,
and the intake takes them, in their order, before decoding any more itself.

The second thread decodes only while a commit runs: at any other time both threads would take
turns at the interpreter lock, and every statement of a batch's writes would wait for the
decoding thread's turn to end. Messages are taken from the input by one thread at a time, in
order, so an input that is a generator (a file read line by line) is read as it would be by one.
An input whose next message is slow to come (a socket) would hold the end of a commit up for as
long: such input is handed over in lists, as the MQTT ingress does.
"""

from __future__ import annotations

import threading
from collections import deque
from contextlib import contextmanager
from typing import Callable, Generic, Iterable, Iterator, TypeVar

Message = TypeVar("Message")  # as received
Result = TypeVar("Result")  # as decoded


class DecodeAhead(Generic[Message, Result]):
    """The decoded messages of `messages`, in order; `decoding()` lets a second thread decode
    ahead for as long as it lasts. Use it as a context manager: leaving it stops the thread."""

    def __init__(self, messages: Iterable[Message], decode: Callable[[Message], Result]):
        self._messages, self._decode = iter(messages), decode
        self._ready: deque[Result] = deque()  # decoded ahead, not yet taken
        self._open = threading.Event()  # set: the second thread may decode
        self._taking = threading.Lock()  # held by whichever thread takes and decodes a message
        self._ended = False  # the input has no more messages
        self._closed = False
        self._failure: BaseException | None = None  # what the second thread's decoding raised
        self._thread: threading.Thread | None = None

    def __enter__(self) -> "DecodeAhead[Message, Result]":
        return self

    def __exit__(self, *exc: object) -> None:
        self._closed = True
        self._open.set()  # wakes the thread, which sees it is closed and ends
        if self._thread is not None:
            self._thread.join()

    @contextmanager
    def decoding(self) -> Iterator[None]:
        """While inside, a second thread decodes what comes next; on leaving, it stops between
        two messages before this returns."""
        if self._thread is None and not self._ended:
            self._thread = threading.Thread(target=self._decode_ahead, name="decode-ahead", daemon=True)
            self._thread.start()
        self._open.set()
        try:
            yield
        finally:
            self._open.clear()
            with self._taking:  # the thread is between two messages and will wait
                pass

    def __iter__(self) -> Iterator[Result]:
        while True:
            if self._ready:
                yield self._ready.popleft()
                continue
            if self._failure is not None:
                raise self._failure
            with self._taking:
                message = self._next()
            if message is _END:
                return
            yield self._decode(message)

    def _next(self) -> object:
        """The next raw message, or _END; called with `_taking` held."""
        if self._ended:
            return _END
        message = next(self._messages, _END)
        self._ended = message is _END
        return message

    def _decode_ahead(self) -> None:
        """Until closed, the input ends or a decoding fails: while open, one message at a time."""
        while True:
            self._open.wait()
            with self._taking:
                if self._closed:
                    return
                if not self._open.is_set():
                    continue  # closed again while this thread waited for the lock
                message = self._next()
                if message is _END:
                    return
                try:
                    self._ready.append(self._decode(message))
                except BaseException as error:  # raised in the intake's thread, in its place
                    self._failure = error
                    return


_END = object()
