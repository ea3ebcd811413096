"""The one way the portal hands work to Celery: `enqueue(task, *args)`.

Every app sends its tasks through here (usually from `transaction.on_commit`), so a broker that
does not answer is handled in one place. When Redis is down the task runs at once in this process
(eagerly) and a WARNING is logged: the action the user took still has its effect (a need is
matched, a release published), only slower, and nothing is left queued in the database without a
message that would ever run it. A failure of the eager run itself is logged, never raised: the
caller's transaction has already committed.
"""

from __future__ import annotations

import logging

import kombu.exceptions
import redis.exceptions

logger = logging.getLogger(__name__)

# What a broker (or the Redis result backend) raises when it cannot be reached.
BROKER_ERRORS = (
    kombu.exceptions.OperationalError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    ConnectionError,
    TimeoutError,
)

# A short publish retry: a broker that is briefly unreachable gets two more tries, a stopped one
# fails within a second instead of stalling the request.
PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}


def enqueue(task, *args, **kwargs):
    """Send `task(*args, **kwargs)` to its queue; without a broker, run it here and now.

    Returns the AsyncResult (or the EagerResult of the fallback run)."""
    if task.app.conf.task_always_eager:
        return task.apply_async(args, kwargs)  # eager by configuration: errors propagate
    try:
        return task.apply_async(args, kwargs, retry_policy=PUBLISH_RETRY_POLICY)
    except BROKER_ERRORS as exc:
        logger.warning(
            "broker unavailable (%s: %s): running %s in the web process instead",
            type(exc).__name__,
            exc,
            task.name,
        )
    result = task.apply(args, kwargs, throw=False)
    if result.failed():
        logger.error(
            "%s failed when run in the web process: %r\n%s",
            task.name,
            result.result,
            result.traceback,
        )
    return result
