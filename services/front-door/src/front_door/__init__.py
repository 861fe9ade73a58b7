"""The Children's Hub front door service (front-door)."""
