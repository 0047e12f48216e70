"""The Mesa model: state, exogenous schedule, battlefield, observation, organisations."""

from sim.model.model import CoalitionModel

__all__ = ["CoalitionModel"]
