"""The demo: a simulated city told as a story, from import to the served dashboard."""
