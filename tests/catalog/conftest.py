import pytest

from tests.factories import UserFactory


@pytest.fixture
def zhujian_staff(zhujian):
    """The 住建局's catalog clerk (an applicant of that department)."""
    return UserFactory(username="zj_clerk", last_name="孙", first_name="编目", department=zhujian, roles=["applicant"])


@pytest.fixture
def gongan_staff(gongan):
    return UserFactory(username="ga_clerk", last_name="吴", first_name="编目", department=gongan, roles=["dept_leader"])
