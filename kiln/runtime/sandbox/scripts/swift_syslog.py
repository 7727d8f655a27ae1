"""A syslog sink for Swift on 127.0.0.1/UDP: Swift logs only to syslog (`log_udp_host/port`).

Usage: swift_syslog.py PORT LOGFILE. Runs until SIGTERM.
"""

import signal
import socket
import sys
from types import FrameType


def _stop(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def main() -> None:
    port, path = int(sys.argv[1]), sys.argv[2]
    signal.signal(signal.SIGTERM, _stop)
    sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sink.bind(("127.0.0.1", port))
    with open(path, "ab", buffering=0) as log:
        while True:
            message, _ = sink.recvfrom(65535)
            log.write(message.rstrip(b"\0\n") + b"\n")


if __name__ == "__main__":
    main()
