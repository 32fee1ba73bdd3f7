"""A LocalStack Lambda runtime executor that runs functions as host processes (no Docker)."""
