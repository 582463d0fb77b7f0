"""The built-in OPC UA simulator: the demo line's process model served live."""
