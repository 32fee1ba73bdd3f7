"""Concurrent SQS event source mappings for LocalStack 2026.3 (community).

Its SQS poller takes one batch, waits for the function to finish, and only then polls again: every
queue is worked one batch at a time, whatever ``ScalingConfig.MaximumConcurrency`` says. On AWS,
Lambda runs up to that many batches of a standard queue at once (and scales further without it).
This patch lets each mapping's poller hand batches to up to ``MaximumConcurrency`` invocations in
flight (``DEFAULT_CONCURRENCY`` when unset), taking a new batch off the queue only when a slot is
free, so the cap holds exactly as on AWS. FIFO queues keep LocalStack's one-at-a-time order.
"""

import logging
import threading

from localstack.services.lambda_.event_source_mapping.esm_worker_factory import EsmWorkerFactory
from localstack.services.lambda_.event_source_mapping.pollers.sqs_poller import SqsPoller

LOG = logging.getLogger(__name__)
# Without a cap, AWS scales a mapping to hundreds of concurrent batches; a few keep a laptop usable.
DEFAULT_CONCURRENCY = 5

_original_poll_events = SqsPoller.poll_events
_original_handle_messages = SqsPoller.handle_messages
_original_get_esm_worker = EsmWorkerFactory.get_esm_worker


def _slots(poller: SqsPoller) -> threading.BoundedSemaphore:
    slots = getattr(poller, "_groundcrew_slots", None)
    if slots is None:
        slots = threading.BoundedSemaphore(getattr(poller, "_groundcrew_concurrency", DEFAULT_CONCURRENCY))
        poller._groundcrew_slots = slots
    return slots


def poll_events(self: SqsPoller) -> None:
    if self.is_fifo_queue:
        return _original_poll_events(self)
    slots = _slots(self)
    # A free slot first: messages taken off the queue are never left waiting for one.
    slots.acquire()
    self._groundcrew_slot_held = True
    try:
        _original_poll_events(self)
    finally:
        # Nothing was handed on (an empty poll, a failure): give the slot back.
        if self._groundcrew_slot_held:
            self._groundcrew_slot_held = False
            slots.release()


def handle_messages(self: SqsPoller, messages) -> None:
    if self.is_fifo_queue or not hasattr(self, "_groundcrew_slot_held"):
        return _original_handle_messages(self, messages)
    slots = _slots(self)
    if self._groundcrew_slot_held:
        self._groundcrew_slot_held = False
    else:
        # A second mini-batch of one poll (over 2,500 messages) needs a slot of its own.
        slots.acquire()

    def run():
        try:
            _original_handle_messages(self, messages)
        except Exception as e:  # as LocalStack's poller does: log, and the messages become visible again
            LOG.warning("Batch processing failed for %s: %s", self.source_arn, e)
        finally:
            slots.release()

    threading.Thread(target=run, name=f"esm-batch-{self.queue_url.rsplit('/', 1)[-1]}", daemon=True).start()


def get_esm_worker(self: EsmWorkerFactory):
    worker = _original_get_esm_worker(self)
    if isinstance(worker.poller, SqsPoller):
        cap = (self.esm_config.get("ScalingConfig") or {}).get("MaximumConcurrency")
        worker.poller._groundcrew_concurrency = int(cap) if cap else DEFAULT_CONCURRENCY
    return worker


def apply() -> None:
    if SqsPoller.poll_events is poll_events:
        return
    SqsPoller.poll_events = poll_events
    SqsPoller.handle_messages = handle_messages
    EsmWorkerFactory.get_esm_worker = get_esm_worker
