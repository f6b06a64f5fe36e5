"""carbon-wizard core: answers -> Topology -> Plan -> files -> output tree (no UI here)."""

__version__ = "0.1.0"
