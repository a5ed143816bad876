"""Benchmark harness: the standard federation benchmark, aggregator vs reference gateways."""
