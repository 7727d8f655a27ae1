"""Run by the Heat reference Python (KILN_HEAT_PYTHON): Heat's own build_userdata for each
request on stdin, its MIME parts (or the text) as JSON on stdout."""

import email
import json
import sys
import types

from heat.common import config  # noqa: F401  (registers the options build_userdata reads)
from heat.engine.clients.os.nova import NovaClientPlugin

URL = "http://heat.example:8000/v1/"


def parts(text):
    message = email.message_from_string(text or "")
    if not message.is_multipart():
        return text
    return [
        [part.get_filename(), part.get_content_type(), part.get_payload(decode=True).decode()]
        for part in message.get_payload()
    ]


def plugin():
    heat = types.SimpleNamespace(get_cfn_metadata_server_url=lambda: URL)
    clients = types.SimpleNamespace(client_plugin=lambda name: heat)
    return types.SimpleNamespace(context=types.SimpleNamespace(clients=clients))


results = []
for case in json.load(sys.stdin):
    built = NovaClientPlugin.build_userdata(
        plugin(), case["metadata"], case["user_data"], user_data_format=case["format"]
    )
    results.append(parts(built))
json.dump(results, sys.stdout)
