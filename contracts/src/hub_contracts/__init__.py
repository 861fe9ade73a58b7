"""Contracts shared by every service of the Children's Hub.

Everything two services must agree on lives here: tenants, the service catalogue,
topic naming and (from the contracts issue on) the event envelope and payloads.
"""
