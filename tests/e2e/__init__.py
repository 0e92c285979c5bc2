"""Browser tests (a package, so test modules can import the harness types from conftest)."""
