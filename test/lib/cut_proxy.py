#!/usr/bin/env python3
"""A TCP proxy on loopback that cuts connections at random byte offsets, for fault tests.

Usage: cut_proxy.py LISTEN_PORT TARGET_PORT CONTROL_DIR SECONDS

Forwards 127.0.0.1:LISTEN_PORT to 127.0.0.1:TARGET_PORT (loopback only). While the file
CONTROL_DIR/cut exists, each connection is closed after a random number of bytes from the
server (1 to the number in that file, default 200000; counted from the first bytes after the
file appears, for connections already open too), in the middle of whatever it carries;
every cut is appended to CONTROL_DIR/cuts.log as "offset". CONTROL_DIR/target, when it exists,
holds another port on 127.0.0.1 to forward to (a failover): when it changes, every open
connection is closed and new ones go there. The proxy stops by itself after
SECONDS (a bounded loop), or when CONTROL_DIR/stop exists.
"""
import os
import random
import selectors
import socket
import sys
import time


def main():
    listen_port, target_port, control, seconds = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
    deadline = time.monotonic() + seconds
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", listen_port))
    server.listen(16)
    server.setblocking(False)
    selector = selectors.DefaultSelector()
    selector.register(server, selectors.EVENT_READ, None)
    pairs = {}  # socket -> [peer, is_server_side, budget holder]
    current_target = target_port

    def target():
        try:
            with open(os.path.join(control, "target")) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            return target_port

    def close(sock):
        entry = pairs.pop(sock, None)
        if entry is None:
            return
        peer = entry[0]
        pairs.pop(peer, None)
        for s in (sock, peer):
            try:
                selector.unregister(s)
            except (KeyError, ValueError):
                pass
            s.close()

    while time.monotonic() < deadline and not os.path.exists(os.path.join(control, "stop")):
        if target() != current_target:
            current_target = target()
            for sock in list(pairs):
                close(sock)
        for key, _ in selector.select(timeout=0.2):
            sock = key.fileobj
            if sock is server:
                client, _ = server.accept()
                try:
                    upstream = socket.create_connection(("127.0.0.1", current_target), timeout=5)
                except OSError:
                    client.close()  # the server is down: the client sees a lost connection
                    continue
                budget = [None]  # bytes left before the cut, drawn once cutting is on
                pairs[client] = [upstream, False, budget]
                pairs[upstream] = [client, True, budget]
                for s in (client, upstream):
                    s.setblocking(False)
                    selector.register(s, selectors.EVENT_READ, None)
                continue
            entry = pairs.get(sock)
            if entry is None:
                continue
            peer, from_server, budget = entry
            try:
                data = sock.recv(65536)
            except OSError:
                data = b""
            if not data:
                close(sock)
                continue
            cut_file = os.path.join(control, "cut")
            if from_server and budget[0] is None and os.path.exists(cut_file):
                with open(cut_file) as f:
                    text = f.read().strip()
                budget[0] = random.randint(1, int(text) if text else 200000)
            elif from_server and budget[0] is not None and not os.path.exists(cut_file):
                budget[0] = None
            if from_server and budget[0] is not None:
                if len(data) >= budget[0]:
                    data = data[: budget[0]]
                    try:
                        peer.setblocking(True)
                        peer.sendall(data)
                    except OSError:
                        pass
                    with open(os.path.join(control, "cuts.log"), "a") as log:
                        log.write("%d\n" % budget[0])
                    close(sock)
                    continue
                budget[0] -= len(data)
            try:
                peer.setblocking(True)
                peer.sendall(data)
                peer.setblocking(False)
            except OSError:
                close(sock)
    for sock in list(pairs):
        close(sock)
    server.close()


if __name__ == "__main__":
    main()
