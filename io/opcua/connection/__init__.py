"""Connecting to a server: the one client factory, security policies, certificates and trust."""
