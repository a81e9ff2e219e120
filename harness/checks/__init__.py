"""The check framework; `render/` holds the families over rendered scenarios, `smoke/` those over live snapshots."""
