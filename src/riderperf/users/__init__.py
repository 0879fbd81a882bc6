"""People who use riderperf and the role each one holds."""
