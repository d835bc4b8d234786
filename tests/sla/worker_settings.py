"""Settings of the real Celery worker that tests/sla/test_celery_worker.py starts.

Production settings, with three changes that only make the test fast or observable:
- a 3-second Redis visibility timeout, so a message whose worker was killed mid-task comes
  back within seconds (production keeps kombu's hour; the sweep is idempotent either way);
- no remote control, so the test worker leaves no pidbox queues behind in a shared Redis;
- sweep batches of 4 deadlines (production: 1,000), so a dozen deadlines take several batches and
  the worker can be killed between two of them.
"""
from qsm.settings import *  # noqa: F403

CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
CELERY_WORKER_ENABLE_REMOTE_CONTROL = False
SLA_SWEEP_BATCH = 4
