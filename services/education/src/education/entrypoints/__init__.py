"""Entry points of education: HTTP routes and Kafka subscribers."""
