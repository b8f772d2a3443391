#!/usr/bin/env python3
"""A toy on dead Wi-Fi: opens a xiaozhi WebSocket, says hello, then floods pings and never
reads a byte, so everything the gateway sends piles up. Usage: stalled-client.py HOST PORT PATH SECONDS"""
import os
import socket
import sys
import time

host, port, path, seconds = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])


def frame(text: bytes) -> bytes:
    mask = os.urandom(4)
    body = bytes(b ^ mask[i % 4] for i, b in enumerate(text))
    return bytes([0x81, 0x80 | len(text)]) + mask + body


s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # a tiny window: the toy's Wi-Fi
s.connect((host, port))
key = "dGhlIHNhbXBsZSBub25jZQ=="
s.sendall(
    f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
)
head = b""
while b"\r\n\r\n" not in head:
    chunk = s.recv(1)
    if not chunk:
        sys.exit("closed during handshake")
    head += chunk
if b" 101 " not in head.split(b"\r\n")[0]:
    sys.exit(f"no upgrade: {head[:80]!r}")
s.sendall(frame(b'{"type":"hello","version":3,"transport":"websocket"}'))
ping = frame(b'{"type":"ping"}') * 200
deadline = time.time() + seconds
sent = 0
s.settimeout(0.5)
try:
    while time.time() < deadline:
        s.sendall(ping)
        sent += 200
except OSError:
    pass  # the gateway closed us: that is the point
print(f"sent {sent} pings", flush=True)
