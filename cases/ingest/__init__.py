"""Alert ingestion: one adapter per vendor format, all producing a NativeAlert for
cases.services.intake. `ADAPTERS` maps the endpoint's format name to its adapter."""

from .common import Adapter
from .elastic import ElasticAdapter
from .native import NativeAdapter
from .ocsf import OcsfAdapter
from .splunk import SplunkAdapter
from .thehive import TheHiveAdapter
from .wazuh import WazuhAdapter

ADAPTERS: dict[str, Adapter] = {
    adapter.name: adapter
    for adapter in (
        NativeAdapter(),
        ElasticAdapter(),
        SplunkAdapter(),
        WazuhAdapter(),
        OcsfAdapter(),
        TheHiveAdapter(),
    )
}
