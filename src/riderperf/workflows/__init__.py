"""Flows that cross features, each written once: decide an appeal and repair what an
overturn undoes (`appeals`, `overturn`), decide a period with the inspection violations
included (`periods`), check and publish a policy (`policies`), run the warehouse
expressions of judgments and KPIs on Spark (`spark_pipeline`).

Entry points (the CLI, API routes, web routes, the demo) call these and nothing else for
such a flow; feature packages never import this package.
"""
