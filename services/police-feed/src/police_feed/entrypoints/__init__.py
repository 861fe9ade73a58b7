"""Entry points of police-feed: HTTP routes and Kafka subscribers."""
