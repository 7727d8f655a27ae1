"""An ML2 mechanism driver that binds every port, on any host, without an agent.

The wheel's own test drivers do not fit: `test` binds only for magic host names and asserts
per process in its pre/postcommit; `fake_agent` needs a live agent row. There is no data plane:
the binding is what Nova needs to boot (vif_type ovs, connectivity l2), nothing more.
Pre/postcommit methods are the base class's no-ops.
"""

from typing import Any

from neutron_lib.api.definitions import portbindings  # type: ignore[import-not-found, unused-ignore]
from neutron_lib.plugins.ml2 import api  # type: ignore[import-not-found, unused-ignore]


class KilnFakeMechanismDriver(api.MechanismDriver):  # type: ignore[misc]
    def initialize(self) -> None:
        pass

    @property
    def connectivity(self) -> str:
        return str(portbindings.CONNECTIVITY_L2)

    def bind_port(self, context: Any) -> None:
        for segment in context.segments_to_bind:
            context.set_binding(
                segment[api.ID],
                portbindings.VIF_TYPE_OVS,
                {portbindings.CAP_PORT_FILTER: True, portbindings.OVS_HYBRID_PLUG: False},
            )
            return
