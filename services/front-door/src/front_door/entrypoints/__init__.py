"""Entry points of front-door: HTTP routes and Kafka subscribers."""
