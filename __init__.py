"""LineTwin: a desktop digital twin of a production line for quality teams."""

__version__ = "0.1.0"
