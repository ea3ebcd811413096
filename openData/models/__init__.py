"""Models of the open-data catalogue: datasets, publication runs, releases and their files, and
conditional access (applications, API keys and their use)."""

from openData.models.access import AccessApplication, ApiKey, KeyUse
from openData.models.catalogue import Dataset
from openData.models.releases import Release, ReleaseFile, Run

__all__ = ["AccessApplication", "ApiKey", "Dataset", "KeyUse", "Release", "ReleaseFile", "Run"]
