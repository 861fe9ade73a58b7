"""The Children's Hub gateway service (gateway)."""
