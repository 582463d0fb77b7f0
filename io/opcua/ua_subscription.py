"""The subscription and monitored-item requests the live client makes.

Split from :mod:`linetwin.io.opcua.opcua_client`; ``benchmarks/ingest.py`` builds
the same requests for its bare-asyncua baseline.

:func:`open_subscription` creates a subscription whose data changes reach the
handler straight from the publish response. asyncua's callback mode starts one
asyncio task per notification, which at 10,000 values/s was a third of the
client thread (issue 7, docs/PERFORMANCE.md).
"""

from __future__ import annotations

import dataclasses
import logging
import math
from datetime import datetime, timezone
from typing import Any

from asyncua import Client, ua
from asyncua.common.subscription import DataChangeNotif, Subscription

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


_EPOCH = datetime(1970, 1, 1)
_EPOCH_UTC = _EPOCH.replace(tzinfo=timezone.utc)

_log = logging.getLogger(__name__)


def posix(stamp: datetime | None) -> float | None:
    """POSIX seconds of an OPC UA timestamp; a naive one is UTC (asyncua decodes UTC).

    The difference to the epoch is what ``datetime.timestamp()`` computes for an
    aware stamp (same float), without building a second datetime: it runs once
    per received value.
    """
    if stamp is None:
        return None
    if stamp.tzinfo is None:
        return (stamp - _EPOCH).total_seconds()
    return (stamp - _EPOCH_UTC).total_seconds()


class DirectSubscription(Subscription):
    """A callback-mode subscription that calls a synchronous handler inline.

    Data changes of a publish response go to ``handler.datachange_notification``
    (same arguments as asyncua gives it) one after the other, in order, from the
    publish callback itself; status changes and events take asyncua's own path.
    The handler must not block: it runs on the client's event loop.
    """

    async def publish_callback(self, publish_result: ua.PublishResult) -> None:
        message = publish_result.NotificationMessage
        data = message.NotificationData
        if data and any(type(n) is ua.DataChangeNotification for n in data):
            for notification in data:
                if type(notification) is ua.DataChangeNotification:
                    self._hand_over(notification.MonitoredItems)
            # The rest (and the bookkeeping: sequence number, last publish
            # time) as asyncua does it; the received message is left as it was.
            rest = [n for n in data if type(n) is not ua.DataChangeNotification]
            publish_result = dataclasses.replace(
                publish_result, NotificationMessage=dataclasses.replace(message, NotificationData=rest))
        await super().publish_callback(publish_result)

    def _hand_over(self, items: list[ua.MonitoredItemNotification]) -> None:
        notify = self._handler.datachange_notification
        known = self._monitored_items
        for item in items:
            data = known.get(item.ClientHandle)
            if data is None or data.node is None:
                _log.warning("notification for unknown monitored item %s", item.ClientHandle)
                continue
            dv = item.Value
            value = dv.Value.Value if dv is not None and dv.Value is not None else None
            try:
                notify(data.node, value, DataChangeNotif(data, item))
            except Exception:  # noqa: BLE001 - as asyncua: log, and the next value still goes
                _log.exception("subscription handler failed on a data change")


async def open_subscription(client: Client, params: ua.CreateSubscriptionParameters,
                            handler: Any) -> Subscription:
    """``client.create_subscription(params, handler)``, as a :class:`DirectSubscription`.

    Mirrors asyncua 2.x's ``Client.create_subscription`` (revised parameters,
    the client's list of subscriptions for its stale-subscription watchdog).
    An asyncua that lacks those parts gets its own callback-mode subscription.
    """
    session = getattr(client.uaclient, "session", None)
    subscriptions = getattr(client, "_subscriptions", None)
    if session is None or not isinstance(subscriptions, list):
        return await client.create_subscription(params, handler)
    subscription = DirectSubscription(session, params, handler)
    results = await subscription.init()
    revised = client.get_subscription_revised_params(params, results)
    if revised:
        await subscription.update(revised)
    subscriptions.append(subscription)
    return subscription
