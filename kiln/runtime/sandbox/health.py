"""Is a port answering, and who holds it: TCP connects, an HTTP GET, /proc/net/tcp."""

import http.client
import socket
from pathlib import Path

LOOPBACK = "127.0.0.1"


def tcp_answers(port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((LOOPBACK, port), timeout=timeout):
            return True
    except OSError:
        return False


def http_answers(port: int, timeout: float = 2.0) -> bool:
    """Any HTTP response below 500 to `GET /` (the version document of an OpenStack API)."""
    connection = http.client.HTTPConnection(LOOPBACK, port, timeout=timeout)
    try:
        connection.request("GET", "/")
        return connection.getresponse().status < 500
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()


def answers(port: int, kind: str) -> bool:
    return http_answers(port) if kind == "http" else tcp_answers(port)


def _listening_inodes(port: int) -> set[str]:
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:  # 0A: LISTEN
                inodes.add(inode)
    return inodes


def _fd_links(proc: Path) -> set[str]:
    links: set[str] = set()
    try:
        fds = list((proc / "fd").iterdir())
    except OSError:  # gone, or not ours to read
        return links
    for fd in fds:
        try:
            links.add(str(fd.readlink()))
        except OSError:  # closed meanwhile
            continue
    return links


def port_owner(port: int) -> str | None:
    """'pid 123 (cmdline)' of the process listening on `port`, if /proc lets us see it."""
    inodes = _listening_inodes(port)
    if not inodes:
        return None
    targets = {f"socket:[{inode}]" for inode in inodes}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        if _fd_links(proc) & targets:
            try:
                command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
            except OSError:
                command = "?"
            return f"pid {proc.name} ({command[:120]})"
    return "a process this user cannot see"
