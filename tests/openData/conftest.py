"""Fixtures of the open-data tests: the built-in catalogue, a steward, a published release."""

from __future__ import annotations

import pytest
from django.test import TestCase

from openData.models import Dataset
from openData.services import releases
from openData.services.catalogue import catalogue_sync
from portal.accounts.models import User
from tests.accounts.factories import OfficialFactory


@pytest.fixture
def catalogue(db) -> dict[str, Dataset]:
    """The built-in datasets, by slug (created by migrate; a transactional test's flush
    removes them, so they are put back here)."""
    catalogue_sync()
    return {d.slug: d for d in Dataset.objects.all()}


@pytest.fixture
def steward(db) -> User:
    """A city-level 民政 official: manages the 民政 datasets of the whole city."""
    return OfficialFactory(
        name="吴刚", jurisdiction_id="510100", department=User.Department.CIVIL_AFFAIRS
    )


def publish(dataset: Dataset, **kwargs):
    """Queue a release and run it (tasks are eager in tests, enqueued when the request's
    transaction commits); the run, refreshed."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        run = releases.run_request(dataset=dataset, **kwargs)
    run.refresh_from_db()
    return run
