"""The shared vocabulary every layer may use: the canonical event format (`canonical`),
periods (`periods`) and the one gettext catalog loader (`catalogs`). Nothing here imports
another riderperf package but `riderperf.clock`."""
