"""The local SQS/SNS/S3 emulator: moto's server with fixes for FIFO queues.

moto (the same project as the motoserver/moto image in compose.yaml) is
faithful in behaviour but was never meant for tens of thousands of messages:

1. Every SendMessage re-evaluates `Queue.attributes`, which counts all
   messages in the queue (calling the clock for each) several times per
   message. Sending N messages is O(N^2): 15 messages/s at a depth of 1 000.
   Here `attributes` becomes a lazy mapping that computes a key only when
   it is read; GetQueueAttributes still returns exactly the same values.
2. FIFO deduplication only looked at messages still in the queue, so a resend
   after the consumer deleted the first copy was accepted. Real SQS drops a
   duplicate MessageDeduplicationId for 5 minutes whatever happened to the
   first copy. Here every queue remembers the ids it saw for that window,
   which is also O(1) instead of a scan of the queue.
3. Receiving and deleting scan the whole queue, reading the clock (through
   datetime arithmetic) twice per message. The clock becomes time.time(),
   and a delete first looks among the in-flight messages (the only ones
   with receipt handles) instead of the whole queue.
4. A delete rebuilds the queue's message list without the lock that sends
   append under, so a SendMessageBatch racing a DeleteMessageBatch could
   lose its messages after they were accepted (seen as 10 of 10 000 changes
   never indexed with two consumers). Deletes here hold that lock.
7. ReceiveMessage and ChangeMessageVisibility read and change the set of
   in-flight messages with no lock at all, while the server runs one thread
   per request. With several consumers long-polling one FIFO queue, two
   receives could hand out the same message or two messages of one group
   at once, or fail with a 500 ("Set changed size during iteration") after
   they had marked messages received: those messages were then invisible
   for a visibility timeout with their receive count raised, without any
   consumer holding them (a few such rounds dead-letter a valid change).
   Here both hold the queue's lock while they look at or change messages
   (a long poll waits without it), and a delete or a visibility change
   wakes the waiting receives, as a send does.

It serves S3 as well (the bulk upload's bucket), with two changes that
make it behave like S3 towards a browser:

5. moto answers every request with permissive CORS headers of its own
   (flask-cors, for any origin), so a bucket's CORS rule was never tested.
   Here that global CORS is off: S3 answers preflights and uploads with the
   bucket's own rule, as AWS does (SQS and SNS are never called from a
   browser).
6. moto accepts a presigned URL forever. Here an S3 request whose
   X-Amz-Date + X-Amz-Expires lies in the past is refused with 403
   AccessDenied "Request has expired", as S3 does. (Signatures are still not
   checked: the emulator cannot know the secret; that a size or content
   type differing from the signed one is refused is AWS's part.)

Run as: python scripts/sqs_emulator.py -H 127.0.0.1 -p 4566 (moto_server's flags).
"""

import calendar
import json
import os
import sys
import time
from collections.abc import Mapping
from copy import deepcopy
from urllib.parse import parse_qs, urlparse

# Read by moto when it is imported (5. above).
os.environ.setdefault("MOTO_DISABLE_GLOBAL_CORS", "true")

from moto.core.utils import camelcase_to_underscores  # noqa: E402
from moto.s3.responses import S3Response  # noqa: E402
from moto.sqs import models  # noqa: E402
from moto.server import main  # noqa: E402


class LazyQueueAttributes(Mapping):
    """Queue.attributes, computed per key on access."""

    def __init__(self, queue):
        self._queue = queue

    def _names(self):
        q = self._queue
        names = list(q.BASE_ATTRIBUTES)
        if q.fifo_queue:
            names += q.FIFO_ATTRIBUTES
        if q.kms_master_key_id:
            names += q.KMS_ATTRIBUTES
        return names

    def __getitem__(self, key):
        if key not in self._names():
            raise KeyError(key)
        q = self._queue
        if key == "RedrivePolicy":
            return json.dumps(q.redrive_policy) if q.redrive_policy else None
        value = getattr(q, camelcase_to_underscores(key))
        return str(value).lower() if isinstance(value, bool) else value

    def __iter__(self):
        return iter(self._names())

    def __len__(self):
        return len(self._names())


def add_message(self, message):
    """Queue.add_message with a 5-minute deduplication window per queue."""
    if self.lambda_event_source_mappings:
        return ORIGINAL_ADD_MESSAGE(self, message)
    if self.fifo_queue and message.deduplication_id:
        # Insertion-ordered and sent times only grow, so expired ids are
        # always at the front: pruning is O(1) amortised.
        seen = self.__dict__.setdefault("_deduplication_seen", {})
        window_ms = models.DEDUPLICATION_TIME_IN_SECONDS * 1000
        now = message.sent_timestamp
        while seen:
            oldest = next(iter(seen))
            if now - seen[oldest] < window_ms:
                break
            del seen[oldest]
        if message.deduplication_id in seen:
            return None
        seen[message.deduplication_id] = now
    with self._messages_lock:
        self._messages.append(message)
        self._messages_lock.notify_all()
    return None


def delete_message(self, receipt_handle):
    """Queue.delete_message, looking among in-flight messages first.

    Holds the lock add_message appends under: the server is threaded, and
    both this and moto's own version rebuild the message list, so a delete
    racing a SendMessageBatch would otherwise drop the appended messages (a
    whole accepted batch, silently)."""
    with self._messages_lock:
        if receipt_handle in self.deleted_messages:
            return
        target = next(
            (m for m in self._pending_messages if m.had_receipt_handle(receipt_handle)),
            None,
        )
        if target is None:
            ORIGINAL_DELETE_MESSAGE(self, receipt_handle)
            return
        self._pending_messages.discard(target)
        self.deleted_messages.update(target.all_receipt_handles)
        self._messages = [m for m in self._messages if m is not target]
        # The message's FIFO group may be free now (7.).
        self._messages_lock.notify_all()


def receive_message(
    self, queue_name, count, wait_seconds_timeout, visibility_timeout, message_attribute_names=None
):
    """SQSBackend.receive_message, picking messages under the queue's lock (7.)."""
    queue = self.get_queue(queue_name)
    deadline = time.time() + (wait_seconds_timeout or 0)
    with queue._messages_lock:
        while True:
            result = claim_messages(
                self, queue, queue_name, count, visibility_timeout, message_attribute_names or []
            )
            remaining = deadline - time.time()
            if result or remaining <= 0:
                return result
            # Releases the lock while it waits. Sends, deletes and visibility
            # changes notify; a visibility timeout running out does not,
            # hence the short cap.
            queue._messages_lock.wait(timeout=min(remaining, 0.2))


def claim_messages(backend, queue, queue_name, count, visibility_timeout, attribute_names):
    """The body of moto's receive loop, unchanged in behaviour: visible
    messages in order, skipping FIFO groups with a message in flight (as of
    the start of this pass over the queue), moving a message received maxReceiveCount
    times to the dead-letter queue. Called with the queue's lock held."""
    result = []
    pending_groups = queue.pending_message_groups
    to_dead_letter = []
    for message in queue.messages:
        if message in queue.pending_messages:
            # In flight but visible again: its consumer timed out.
            queue.pending_messages.remove(message)
            pending_groups = queue.pending_message_groups
        if queue.fifo_queue and message.group_id and message.group_id in pending_groups:
            continue
        if (
            queue.dead_letter_queue is not None
            and queue.redrive_policy
            and message.approximate_receive_count >= queue.redrive_policy["maxReceiveCount"]
        ):
            to_dead_letter.append(message)
            continue
        queue.pending_messages.add(message)
        message.mark_received(visibility_timeout=visibility_timeout)
        copy = deepcopy(message)
        models._filter_message_attributes(copy, attribute_names)
        if not backend.is_message_valid_based_on_retention_period(queue_name, message):
            break
        result.append(copy)
        if len(result) >= count:
            break
    for message in to_dead_letter:
        queue._messages.remove(message)
        queue.dead_letter_queue.add_message(message)
    return result


def change_message_visibility(self, queue_name, receipt_handle, visibility_timeout):
    """SQSBackend.change_message_visibility under the queue's lock (7.)."""
    queue = self.get_queue(queue_name)
    with queue._messages_lock:
        ORIGINAL_CHANGE_MESSAGE_VISIBILITY(self, queue_name, receipt_handle, visibility_timeout)
        queue._messages_lock.notify_all()


def unix_time(dt=None):
    return time.time() if dt is None else ORIGINAL_UNIX_TIME(dt)


def unix_time_millis(dt=None):
    return time.time() * 1000.0 if dt is None else ORIGINAL_UNIX_TIME(dt) * 1000.0


EXPIRED = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    "<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>"
)


def key_response(self, request, full_url):
    """S3Response._key_response, refusing a presigned URL past its expiry (6.)."""
    query = parse_qs(urlparse(full_url).query)
    signed, expires = query.get("X-Amz-Date"), query.get("X-Amz-Expires")
    if signed and expires and request.method != "OPTIONS":
        try:
            signed_at = calendar.timegm(time.strptime(signed[0], "%Y%m%dT%H%M%SZ"))
            if time.time() > signed_at + int(expires[0]):
                return 403, {"Content-Type": "application/xml"}, EXPIRED
        except ValueError:
            pass  # malformed: left to moto, as before
    return ORIGINAL_KEY_RESPONSE(self, request, full_url)


ORIGINAL_ADD_MESSAGE = models.Queue.add_message
ORIGINAL_CHANGE_MESSAGE_VISIBILITY = models.SQSBackend.change_message_visibility
ORIGINAL_DELETE_MESSAGE = models.Queue.delete_message
ORIGINAL_UNIX_TIME = models.unix_time
models.Queue.attributes = property(LazyQueueAttributes)
models.Queue.add_message = add_message
models.Queue.delete_message = delete_message
models.SQSBackend.receive_message = receive_message
models.SQSBackend.change_message_visibility = change_message_visibility
models.unix_time = unix_time
models.unix_time_millis = unix_time_millis
ORIGINAL_KEY_RESPONSE = S3Response._key_response
S3Response._key_response = key_response

if __name__ == "__main__":
    sys.exit(main())
