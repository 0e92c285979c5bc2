"""`python -m bench`: the benchmark command (bench/run.py)."""

from bench.run import main

main()
