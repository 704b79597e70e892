"""Share applications and grants (共享申请与授权).

This package shadows the PyPI HTTP library `requests`; nothing in govshare may
depend on that library (tests/test_no_requests_dependency.py).
"""
