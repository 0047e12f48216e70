"""Calibration against documented targets: specs, the objective, the optuna
search through an executor, and the report."""
