"""DirectSubscription: data changes reach the handler inline, in order, over real OPC UA."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

from asyncua import Client, Server, ua

from linetwin.io.opcua.ua_subscription import DirectSubscription, item_request, open_subscription, posix


class _Recorder:
    """A handler that keeps what it gets and fails on one chosen value."""

    def __init__(self, fail_on: float | None = None) -> None:
        self.values: list[tuple[int, float, datetime]] = []
        self.statuses: list[ua.StatusCode] = []
        self.tasks_seen: set[asyncio.Task | None] = set()
        self.fail_on = fail_on

    def datachange_notification(self, node, val, data) -> None:
        self.tasks_seen.add(asyncio.current_task())
        if val == self.fail_on:
            raise RuntimeError("a handler that fails on one value")
        item = data.monitored_item
        self.values.append((item.ClientHandle, val, item.Value.SourceTimestamp))

    def status_change_notification(self, status) -> None:
        self.statuses.append(status.Status)


async def _serve() -> tuple[Server, list]:
    server = Server()
    await server.init()
    server.set_endpoint("opc.tcp://127.0.0.1:0/sub/")
    index = await server.register_namespace("urn:linetwin:test-subscription")
    variables = [await server.nodes.objects.add_variable(index, f"V{k}", 0.0) for k in range(3)]
    await server.start()
    return server, variables


def _endpoint(server: Server) -> str:
    port = server.bserver._server.sockets[0].getsockname()[1]
    return f"opc.tcp://127.0.0.1:{port}/sub/"


async def _subscribe(fail_on: float | None = None):
    server, variables = await _serve()
    client = Client(_endpoint(server), timeout=5)
    await client.connect()
    handler = _Recorder(fail_on)
    params = ua.CreateSubscriptionParameters(RequestedPublishingInterval=20.0, RequestedMaxKeepAliveCount=50,
                                             RequestedLifetimeCount=500, PublishingEnabled=True)
    sub = await open_subscription(client, params, handler)
    requests = [item_request(v.nodeid, handle, 0.0, with_filter=True) for handle, v in enumerate(variables, 1)]
    assert all(isinstance(r, int) for r in await sub.create_monitored_items(requests))
    return server, variables, client, handler, sub


async def _wait(predicate, timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.02)


def test_every_value_reaches_the_handler_in_order_without_a_task_each() -> None:
    async def scenario() -> None:
        server, variables, client, handler, sub = await _subscribe()
        try:
            assert isinstance(sub, DirectSubscription)
            assert sub in client._subscriptions  # the stale-subscription watchdog sees it
            await _wait(lambda: len(handler.values) >= 3)  # the initial values
            del handler.values[:]
            start = datetime.now(timezone.utc).replace(tzinfo=None)
            for k in range(30):  # fast writes: many land in one publish
                stamp = start + timedelta(milliseconds=k)
                await variables[k % 3].write_value(ua.DataValue(ua.Variant(float(k), ua.VariantType.Double),
                                                                SourceTimestamp=stamp))
            await _wait(lambda: len(handler.values) >= 30)
        finally:
            await client.disconnect()
            await server.stop()
        # The server groups a publish by monitored item; each item's values keep their order.
        for handle in (1, 2, 3):
            mine = [(v, posix(s)) for h, v, s in handler.values if h == handle]
            written = [k for k in range(30) if k % 3 + 1 == handle]
            assert mine == [(float(k), posix(start + timedelta(milliseconds=k))) for k in written]
        # Called from the publish loop's own task, not from one new task per value.
        assert len(handler.tasks_seen) == 1

    asyncio.run(scenario())


def test_a_failing_handler_loses_only_its_value_and_status_changes_still_arrive() -> None:
    async def scenario() -> None:
        server, variables, client, handler, sub = await _subscribe(fail_on=2.0)
        try:
            await _wait(lambda: len(handler.values) >= 3)
            del handler.values[:]
            for k in (1.0, 2.0, 3.0):
                await variables[0].write_value(k)
            await _wait(lambda: len(handler.values) >= 2)
            # A lost session is told to the subscription as a status change.
            await client.uaclient.inform_subscriptions(ua.StatusCode(ua.StatusCodes.BadShutdown))
            await _wait(lambda: handler.statuses)
        finally:
            await client.disconnect()
            await server.stop()
        assert [v for _, v, _ in handler.values] == [1.0, 3.0]
        assert handler.statuses[0].value == ua.StatusCodes.BadShutdown

    asyncio.run(scenario())


def test_posix_matches_datetime_timestamp_for_naive_utc_and_aware_stamps() -> None:
    naive = datetime(2026, 12, 2, 22, 0, 0, 123457)
    aware = naive.replace(tzinfo=timezone(timedelta(hours=2)))
    assert posix(naive) == naive.replace(tzinfo=timezone.utc).timestamp()
    assert posix(aware) == aware.timestamp()
    assert posix(datetime(1601, 1, 1)) == datetime(1601, 1, 1, tzinfo=timezone.utc).timestamp()
    assert posix(None) is None
