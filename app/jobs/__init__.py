"""Durable jobs: the queue in the database (leases, heartbeats) and the worker processes."""
