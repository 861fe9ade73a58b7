"""Entry points of gateway: HTTP routes and Kafka subscribers."""
