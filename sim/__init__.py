"""coalsim: an agent-based simulator of armed-faction coalitions."""

__version__ = "0.1.0"
