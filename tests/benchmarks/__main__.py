"""`make bench`: every benchmark, each printing ratios against a baseline from the same run."""

from tests.benchmarks import (
    bench_cache,
    bench_export,
    bench_get_user,
    bench_import,
    bench_regions,
    bench_workers,
)

if __name__ == "__main__":
    bench_get_user.run()
    print()
    bench_workers.run()
    print()
    bench_regions.run()
    print()
    bench_cache.run()
    print()
    bench_import.run()
    print()
    bench_export.run()
