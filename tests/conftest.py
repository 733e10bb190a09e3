import pytest

from cit_triage import Triager


@pytest.fixture(scope="session")
def triager() -> Triager:
    """The shipped default model and policy, loaded once."""
    return Triager.load()
