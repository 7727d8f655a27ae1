"""Serve one OpenStack WSGI entry point with gunicorn on 127.0.0.1 (run by the sandbox's Python).

There is no uwsgi or Apache here. Usage:

    wsgi_serve.py --name nova-api --port 8774 --app nova.wsgi.osapi_compute:application \
        -- --config-file /path/nova.conf

Nova, neutron, cinder and heat parse `sys.argv[1:]` with oslo.config, so gunicorn's own
command line would break them: the app sees `[name, <what follows -->]` as its argv.
"""

import argparse
import importlib
import sys
from typing import Any

from gunicorn.app.base import BaseApplication  # type: ignore[import-untyped, import-not-found, unused-ignore]


class _Server(BaseApplication):  # type: ignore[misc]
    def __init__(self, target: str, options: dict[str, Any]) -> None:
        self._target = target
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        module_name, _, attribute = self._target.partition(":")
        return getattr(importlib.import_module(module_name), attribute)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--name", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--app", required=True)
    parser.add_argument("rest", nargs="*")
    args = parser.parse_args()
    sys.argv = [args.name, *args.rest]
    options = {
        "bind": f"127.0.0.1:{args.port}",
        "workers": 1,
        "worker_class": "gthread",
        "threads": 8,
        # The default of 2 s races openstacksdk's 2 s polling: RemoteDisconnected on reuse.
        "keepalive": 75,
        "timeout": 300,
        "graceful_timeout": 5,
        "proc_name": args.name,
        # Otherwise every master opens the same $HOME/.gunicorn/gunicorn.ctl (gunicorn >= 24).
        "control_socket_disable": True,
        "errorlog": "-",
        "loglevel": "info",
    }
    _Server(args.app, options).run()


if __name__ == "__main__":
    main()
