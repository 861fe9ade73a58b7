"""Entry points of social-care: HTTP routes and Kafka subscribers."""
