"""Entry points of health-feed: HTTP routes and Kafka subscribers."""
