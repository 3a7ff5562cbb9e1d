import pytest
from django.utils import translation


@pytest.fixture
def zh():
    """Activate Simplified Chinese for code under test that reads the active language."""
    with translation.override("zh-hans"):
        yield
