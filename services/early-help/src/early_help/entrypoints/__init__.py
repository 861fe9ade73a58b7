"""Entry points of early-help: HTTP routes and Kafka subscribers."""
