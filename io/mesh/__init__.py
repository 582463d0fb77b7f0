"""Mesh files: readers, declared units, checks and the content-hash cache."""
