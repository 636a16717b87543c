"""desk: the front-desk registers of a property-management office."""

__version__ = "0.1.0"
