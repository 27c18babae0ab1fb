"""One APScheduler for the whole bot. It only wakes things up: what is due lives in the database,
so jobs are rebuilt from rows at startup and nothing pickled survives a restart."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

log = logging.getLogger("potluck.scheduler")

Job = Callable[[], Awaitable[object]]


class Scheduler:
    def __init__(self) -> None:
        self._aps = AsyncIOScheduler(
            timezone=UTC,
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": None,
            },
        )

    @property
    def running(self) -> bool:
        return bool(self._aps.running)

    def start(self) -> None:
        if not self._aps.running:
            self._aps.start()

    def pause(self) -> None:
        """Stop starting jobs; running ones go on (shutdown would cancel them mid-write)."""
        if self._aps.running:
            self._aps.pause()

    def shutdown(self) -> None:
        if self._aps.running:
            self._aps.shutdown(wait=False)

    def every(self, job_id: str, seconds: float, job: Job) -> None:
        self._aps.add_job(job, "interval", seconds=seconds, id=job_id, replace_existing=True)

    def at(self, job_id: str, when: datetime, job: Job) -> None:
        """Run `job` once at `when` (or now, if that is past), replacing an earlier wake-up
        only when the new one is sooner."""
        existing = self._aps.get_job(job_id)
        pending = existing.next_run_time if existing is not None else None
        if pending is not None and pending <= when:
            return
        self._aps.add_job(
            job,
            "date",
            run_date=max(when, datetime.now(UTC)),
            id=job_id,
            replace_existing=True,
            max_instances=3,
        )

    def job_ids(self) -> list[str]:
        return [job.id for job in self._aps.get_jobs()]
