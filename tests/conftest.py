import pytest

from cit_triage import Triager


@pytest.fixture(scope="session")
def triager() -> Triager:
    """The shipped default model and policy, loaded once."""
    return Triager.load()


@pytest.fixture(scope="session")
def labeled_calls_path():
    """The project's small synthetic labeled set (written for the tests, no real calls)."""
    from pathlib import Path

    return Path(__file__).parent / "evaluate" / "data" / "labeled_calls.jsonl"
