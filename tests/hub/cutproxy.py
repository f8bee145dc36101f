"""A real TCP proxy on 127.0.0.1 that cuts the connection after a given number of bytes
(counted in both directions): a network cable pulled at an exact byte offset."""

from __future__ import annotations

import contextlib
import socket
import threading


class CutProxy:
    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = int(self.listener.getsockname()[1])
        self.cut_after: int | None = None  # bytes per connection; None: never cut
        self.cuts = 0
        self._lock = threading.Lock()
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def close(self) -> None:
        self._closed = True
        self.listener.close()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.target_port))
            budget = [self.cut_after]
            pair = (client, server)
            for src, dst in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(src, dst, budget, pair),
                                 daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, budget: list[int | None],
              pair: tuple[socket.socket, socket.socket]) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                with self._lock:
                    left = budget[0]
                    if left is not None:
                        if len(data) >= left:
                            data = data[:left]
                            budget[0] = 0
                        else:
                            budget[0] = left - len(data)
                if data:
                    dst.sendall(data)
                if budget[0] == 0:
                    with self._lock:
                        self.cuts += 1
                    break
        except OSError:
            pass
        for sock in pair:  # the cable is out: both ends see the connection drop
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
