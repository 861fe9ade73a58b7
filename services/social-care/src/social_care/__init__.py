"""The Children's social care service (social-care)."""
