"""One module per benchmark; each holds one :class:`bench.harness.Benchmark`
subclass, run in name order.  Modules starting with ``_`` are helpers."""
