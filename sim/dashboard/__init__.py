"""The browser dashboard for teaching (`coalsim dashboard`).

- `session`: holds one model, steps and resets it, and takes read-only
  snapshots of its state after every month;
- `views`: pure plotting and formatting functions from snapshots and the
  trajectory (matplotlib figures, event-log rows);
- `app`: the Solara page only (controls and layout).

The dashboard reads the trajectory and state snapshots; it never changes the
model beyond stepping it.
"""

from __future__ import annotations

#: Environment variables read by `sim.dashboard.app` (set by `coalsim dashboard`).
ENV_SCENARIO = "COALSIM_DASHBOARD_SCENARIO"
ENV_ROOT = "COALSIM_DASHBOARD_ROOT"
