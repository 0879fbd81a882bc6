"""The operations dashboard and the rider portal: server-rendered pages over the services."""
