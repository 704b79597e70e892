"""Writes and transitions of share applications and grants.

applications.py: apply → review → decision (and the flow's handlers);
grants.py: grants after the decision (expiry, renewal, revocation, the check API's answer).
"""
