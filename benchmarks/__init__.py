"""matchmaker's benchmark harness (run on demand; see ``benchmarks/README.md``)."""
