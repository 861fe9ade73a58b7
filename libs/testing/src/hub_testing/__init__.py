"""Test fixtures giving any test a real Kafka broker and MongoDB-wire server.

Where the infrastructure comes from, in order: ``KAFKA_BOOTSTRAP`` and
``MONGO_URI`` when set; testcontainers when a Docker engine answers; otherwise
the project's own local processes, started in a temporary folder on free ports
and stopped (by PID) when the session ends.
"""
