"""The subscription and monitored-item requests the live client makes.

Split from :mod:`linetwin.io.opcua.opcua_client`; ``benchmarks/ingest.py`` builds
the same requests for its bare-asyncua baseline.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone

from asyncua import ua

from linetwin.twin.model import Signal

PUBLISH_MS_MAX = 100.0
QUEUE_SIZE = 10  # server-side samples kept per item between two publishes


def subscription_parameters(signals: list[Signal]) -> ua.CreateSubscriptionParameters:
    """Publish at the fastest sampling rate (at most every 100 ms), keep-alive ~1 s."""
    fastest = min((s.sampling_ms for s in signals), default=PUBLISH_MS_MAX)
    interval = float(max(min(fastest, PUBLISH_MS_MAX), 10.0))
    params = ua.CreateSubscriptionParameters()
    params.RequestedPublishingInterval = interval
    params.RequestedMaxKeepAliveCount = max(1, math.ceil(1000.0 / interval))
    params.RequestedLifetimeCount = 30 * params.RequestedMaxKeepAliveCount
    params.MaxNotificationsPerPublish = 0  # no limit
    params.PublishingEnabled = True
    params.Priority = 0
    return params


def item_request(
    node_id: ua.NodeId, handle: int, sampling_ms: float, with_filter: bool = False
) -> ua.MonitoredItemCreateRequest:
    item = ua.ReadValueId(NodeId=node_id, AttributeId=ua.AttributeIds.Value)
    params = ua.MonitoringParameters(
        ClientHandle=handle, SamplingInterval=sampling_ms, QueueSize=QUEUE_SIZE, DiscardOldest=True
    )
    if with_filter:
        # Also report a fresh SourceTimestamp on an unchanged value: servers that
        # refresh it (the built-in simulator does, every second) then tell us the
        # value is still current, which is what staleness rules need.
        params.Filter = ua.DataChangeFilter(Trigger=ua.DataChangeTrigger.StatusValueTimestamp)
    return ua.MonitoredItemCreateRequest(
        ItemToMonitor=item, MonitoringMode=ua.MonitoringMode.Reporting, RequestedParameters=params
    )


def posix(stamp: datetime | None) -> float | None:
    if stamp is None:
        return None
    if stamp.tzinfo is None:  # asyncua decodes UTC; be explicit about it
        stamp = stamp.replace(tzinfo=timezone.utc)
    return stamp.timestamp()
