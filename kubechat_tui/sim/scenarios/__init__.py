"""Scenario data files shipped with the simulator."""
