"""Speed and memory benchmarks (not shipped in the wheel)."""
