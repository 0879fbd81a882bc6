"""Settings from the environment (RIDERPERF_*): where the two stores live."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """`RIDERPERF_HOME` holds every file riderperf writes unless a URL points elsewhere."""

    model_config = SettingsConfigDict(env_prefix="RIDERPERF_", extra="ignore")

    home: Path = Path(".riderperf")
    database_url: str | None = None
    warehouse_url: str | None = None
    # The most memory the warehouse engine may hold before it spills to disk, such as
    # "12GB" (DuckDB's memory_limit); None keeps DuckDB's default, 80% of the machine's.
    warehouse_memory: str | None = None
    # A Parquet file of more rows than this is imported in parts of this many rows, each
    # checked, compared and committed on its own: the import's memory and temporary disk
    # are those of one part, whatever the file's size.
    import_batch_rows: int = 5_000_000
    # The Spark master `evaluate` uses when the warehouse is a lakehouse (`local[2]`,
    # `spark://host:7077`, `yarn`, …); None keeps the one spark-submit chose.
    spark_master: str | None = None

    @cached_property
    def app_database_url(self) -> str:
        """SQLAlchemy URL of the app database; a SQLite file under home by default."""
        return self.database_url or f"sqlite:///{(self.home / 'riderperf.db').resolve()}"

    @cached_property
    def warehouse_path(self) -> Path:
        """File of the embedded DuckDB warehouse.

        `RIDERPERF_WAREHOUSE_URL` takes `duckdb:///path/file.duckdb` (or a bare path);
        the default is `warehouse.duckdb` under home.
        """
        url = self.warehouse_url
        if not url:
            return (self.home / "warehouse.duckdb").resolve()
        if self.lakehouse is not None:
            raise ValueError(
                f"RIDERPERF_WAREHOUSE_URL={url!r} is a lakehouse computed on Spark: "
                "`riderperf evaluate` runs there; import, decide, appeals and the pages that "
                "show judgments need the embedded warehouse (a duckdb:// URL or none)"
            )
        if url.startswith("duckdb://"):
            rest = url.removeprefix("duckdb://")
            # duckdb:///abs/path names an absolute file, duckdb://rel/path a relative one.
            return Path(rest).resolve()
        if "://" in url:
            raise ValueError(
                f"RIDERPERF_WAREHOUSE_URL={url!r}: give duckdb:///path/to/warehouse.duckdb "
                "(the embedded warehouse) or lakehouse:///path/to/tables (Parquet tables "
                "computed on Spark)"
            )
        return Path(url).resolve()

    @cached_property
    def lakehouse(self) -> str | None:
        """The folder of canonical Parquet tables that `evaluate` computes on Spark, when
        `RIDERPERF_WAREHOUSE_URL` is `lakehouse:///abs/path`, `lakehouse://rel/path` or
        `lakehouse:<URL Spark reads>` (`lakehouse:s3a://bucket/lake`); else None."""
        url = self.warehouse_url or ""
        if not url.startswith("lakehouse:"):
            return None
        rest = url.removeprefix("lakehouse:")
        if "://" in rest:
            return rest
        rest = rest.removeprefix("//")
        return str(Path(rest).resolve())

    @property
    def rejects_dir(self) -> Path:
        return self.home / "rejects"


def load_settings() -> Settings:
    return Settings()
