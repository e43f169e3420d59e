"""The performance benchmark: a generated corpus, ETL and dashboard timings, ``bench/results.md``."""
