"""Batches collect garbage less often, and always put the process's collector back."""

import gc
import threading

import pytest

from cit_triage import Call
from cit_triage.batching import BATCH_THRESHOLD, fewer_collections


@pytest.fixture
def default_threshold():
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield (700, 10, 10)
    gc.set_threshold(*before)


def test_a_batch_raises_the_threshold_and_puts_it_back(triager, default_threshold):
    seen = []
    real = triager._suggest

    def spy(*args, **kwargs):
        seen.append(gc.get_threshold())
        return real(*args, **kwargs)

    triager._suggest = spy
    try:
        triager.suggest_many([Call(notes="son hearing voices"), Call(notes="bike stolen")])
    finally:
        del triager._suggest
    assert seen and all(t[0] == BATCH_THRESHOLD for t in seen)
    assert gc.get_threshold() == default_threshold


def test_an_error_inside_a_batch_puts_the_threshold_back(default_threshold):
    with pytest.raises(RuntimeError):
        with fewer_collections():
            raise RuntimeError("boom")
    assert gc.get_threshold() == default_threshold


def test_overlapping_batches_in_threads_restore_the_original(default_threshold):
    # A starts, B starts, A ends (B still running: threshold stays raised), B ends.
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()
    during = []

    def first():
        with fewer_collections():
            a_in.set()
            b_in.wait(5)
        a_out.set()

    def second():
        a_in.wait(5)
        with fewer_collections():
            b_in.set()
            a_out.wait(5)
            during.append(gc.get_threshold()[0])

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert during == [BATCH_THRESHOLD]
    assert gc.get_threshold() == default_threshold
