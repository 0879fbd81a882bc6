"""View models of the pages: plain data the templates lay out, built by calling the services."""
