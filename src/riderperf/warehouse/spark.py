"""Opens Apache Spark as a second engine for the warehouse's Ibis expressions, over
canonical tables kept as Parquet (a lakehouse folder).

DuckDB stays the embedded default; Spark runs the same expressions when a city outgrows
one machine (docs/scale.md). PySpark and Ibis' PySpark backend are imported by the
functions here, never with the module, so the web server and DuckDB users never load
them (it takes seconds and a Java process).

Every instant is stored in UTC and a day is a UTC day. Spark's TIMESTAMP is an instant
shown in the session's time zone, and a cast to DATE uses that zone: Ibis' PySpark
backend sets the session's time zone to UTC when it connects, and `connect_spark`
checks it did.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from riderperf.warehouse.functions import for_backend

if TYPE_CHECKING:
    import pyarrow as pa

# Settings of a local master: one shuffle partition (Spark's default of 200 makes 200 tasks
# of a few rows each on a machine of a few cores), no web UI, no progress bar on the
# terminal (commands print JSON there), and the driver on the loopback address (a local
# master talks only to itself). A cluster keeps its own settings.
LOCAL_OPTIONS = {
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "1",
    "spark.sql.session.timeZone": "UTC",
}


@dataclass
class SparkWarehouse:
    """A Spark session and Ibis' PySpark backend over it; tables are Spark temp views."""

    session: Any
    ibis_con: Any

    def table(self, name: str) -> Any:
        return self.ibis_con.table(name)

    def sql(self, expr: Any) -> str:
        """The Spark SQL of `expr`, an expression written for the warehouse."""
        import ibis

        return str(ibis.to_sql(for_backend(expr, "pyspark"), dialect="pyspark"))

    def frame(self, expr: Any) -> Any:
        """`expr` as a Spark DataFrame (nothing runs yet)."""
        return self.session.sql(self.sql(expr))

    def keep(self, name: str, expr: Any) -> int:
        """Runs `expr` once and keeps its rows in Spark's memory as the temp view `name`
        for the next expressions to read; returns how many rows it holds.

        The rows a view of that name kept before are dropped first: Spark finds a cached
        result by its plan, so the same statement would otherwise be answered from it."""
        if self.session.catalog.tableExists(name):
            self.session.catalog.uncacheTable(name)
        frame = self.frame(expr).cache()
        rows = int(frame.count())  # materialised now: later reads do not run it again
        frame.createOrReplaceTempView(name)
        return rows

    def to_arrow(self, expr: Any) -> pa.Table:
        """The rows of `expr`, collected on this machine as an Arrow table."""
        frame = self.frame(expr)
        if hasattr(frame, "toArrow"):  # Spark 4
            return frame.toArrow()
        import pyarrow as pa

        return pa.Table.from_pandas(frame.toPandas(), preserve_index=False)

    def write_parquet(self, expr: Any, path: Path | str) -> None:
        """Writes the rows of `expr` as a Parquet folder at `path` (replacing it), from
        the executors: nothing is collected on this machine."""
        self.frame(expr).write.mode("overwrite").parquet(str(path))

    def register_parquet(self, name: str, path: Path | str) -> None:
        """Makes the Parquet file or folder at `path` the table `name`."""
        self.session.read.parquet(str(path)).createOrReplaceTempView(name)

    def register_lakehouse(self, folder: Path | str) -> list[str]:
        """Registers each `<name>.parquet` (a file or a folder of files) and each folder
        of Parquet files directly in `folder` as the table `<name>`; returns the names.

        `folder` may be a local path or a URL Spark reads (`s3a://…`, `abfss://…`,
        `dbfs:/…`); a URL is listed through Hadoop's file system API."""
        names = []
        for name, path in _parquet_entries(self.session, str(folder)):
            self.register_parquet(name, path)
            names.append(name)
        if not names:
            raise ValueError(f"{folder} holds no Parquet table (<name>.parquet or a folder)")
        return sorted(names)

    def stop(self) -> None:
        self.session.stop()


def spark_session(
    master: str | None = None,
    *,
    app_name: str = "riderperf",
    options: dict[str, str] | None = None,
) -> Any:
    """A Spark session: `master` is a Spark master URL (`local[2]`, `spark://host:7077`,
    `yarn`, `k8s://https://host:443`) or a Spark Connect URL (`sc://host:15002`); None
    keeps the one `spark-submit` (or the environment) chose. `options` are Spark settings,
    on top of `LOCAL_OPTIONS` for a local master."""
    from pyspark.sql import SparkSession

    local = master is not None and master.startswith("local")
    settings = dict(LOCAL_OPTIONS) if local else {}
    settings.update(options or {})
    builder = SparkSession.builder.appName(app_name)
    if master is not None and master.startswith("sc://"):
        builder = SparkSession.builder.remote(master)
    elif master is not None:
        builder = builder.master(master)
    for key, value in settings.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def connect_spark(
    session: Any = None,
    *,
    master: str | None = None,
    options: dict[str, str] | None = None,
) -> SparkWarehouse:
    """Ibis' PySpark backend over `session`, or over a new session of `master` (see
    `spark_session`). A given session gets no setting of ours; Ibis sets its time zone
    to UTC."""
    import ibis

    if session is None:
        session = spark_session(master, options=options)
    con = ibis.pyspark.connect(session)
    zone = session.conf.get("spark.sql.session.timeZone")
    if zone != "UTC":
        raise RuntimeError(f"the Spark session's time zone is {zone}, riderperf's days are UTC")
    return SparkWarehouse(session, con)


def _parquet_entries(session: Any, folder: str) -> list[tuple[str, str]]:
    """(table name, path) of the Parquet tables directly in `folder`."""
    if "://" not in folder and not folder.startswith("dbfs:"):
        root = Path(folder)
        return [
            (p.name.removesuffix(".parquet"), str(p))
            for p in sorted(root.iterdir())
            if p.suffix == ".parquet" or (p.is_dir() and any(p.glob("*.parquet")))
        ]
    jvm = session.sparkContext._jvm  # Hadoop's file system, through Spark's JVM
    path = jvm.org.apache.hadoop.fs.Path(folder)
    fs = path.getFileSystem(session.sparkContext._jsc.hadoopConfiguration())
    entries = []
    for status in fs.listStatus(path):
        name = status.getPath().getName()
        if name.startswith(("_", ".")):
            continue
        entries.append((name.removesuffix(".parquet"), str(status.getPath().toString())))
    return sorted(entries)
