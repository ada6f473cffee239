"""Worlds several test modules build on: the data and the steps of a story, shared instead of imported from a
test module."""
