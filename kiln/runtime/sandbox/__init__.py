"""`kiln sandbox`: a real single-node OpenStack on 127.0.0.1, for deploy tests and trials.

Everything comes from PyPI (in a virtualenv of its own, under the state directory) and from
Debian's packages (MariaDB, RabbitMQ). Nothing here imports OpenStack code: the scripts that
need it (`scripts/`) run with the sandbox's own Python. `facts` names what a deployment may
rely on (clouds, flavors, image, external network).

Module map: `services` (the table of services and setup steps), `tasks` (runs them as a
dependency graph), `processes` (process groups: start, record, stop by group id), `health`
(ports), `render` + `configs/` (configuration templates), `install` (apt, venv), `manager`
(up/down/status/purge), `layout` (the state directory).

Limits, by design: there is no data plane (ports and floating IPs stay DOWN; no DHCP, no
metadata, no SSH into servers). The fake virt driver keeps servers in memory, so servers do not
survive `down`/`up` (they come back SHUTOFF or ERROR): start test runs clean (`purge`, or
`purge --keep-venv` to keep the installed venv).
"""
