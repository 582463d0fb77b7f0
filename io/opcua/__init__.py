"""The OPC UA side: connections, security and trust, live client, address-space browser,
value types, and the built-in simulator server."""
