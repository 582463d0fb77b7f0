"""The address-space browser panel and binding a node as a project signal."""
