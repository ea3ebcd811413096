"""The catalogue as DCAT-AP 3.0.1, checked by the standard's own SHACL shapes (pyshacl) against
the copies in ../shared/standards/."""

from __future__ import annotations

import pytest
from pyshacl import validate
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

from openData.dcat import SPDX, catalogue_serialise
from openData.models import Dataset
from tests.openData.conftest import publish
from tests.openData.standards import DCAT_AP
from tests.providers.factories import ProviderFactory
from tests.services.factories import public_listing

STANDARDS = DCAT_AP


def _shapes() -> Graph:
    shapes = Graph()
    shapes.parse(STANDARDS / "dcat-ap-SHACL.ttl")
    return shapes


@pytest.fixture
def published(catalogue):
    public_listing(ProviderFactory(division_id="510107"), title="上门助浴")
    publish(catalogue["listings-prices"])
    return catalogue


def _graph(fmt: str) -> Graph:
    text = catalogue_serialise(list(Dataset.objects.all()), fmt)
    return Graph().parse(data=text, format=fmt)


@pytest.mark.parametrize("fmt", ["json-ld", "turtle"])
def test_the_catalogue_conforms_to_the_dcat_ap_shapes(published, fmt):
    conforms, _graph_report, text = validate(
        _graph(fmt), shacl_graph=_shapes(), inference="rdfs", allow_warnings=True
    )
    assert conforms, text


def test_the_shapes_catch_a_dataset_without_a_title(published):
    """The check above can fail: remove a mandatory property and the shapes object."""
    graph = _graph("turtle")
    dataset = next(graph.subjects(RDF.type, DCAT.Dataset))
    graph.remove((dataset, DCTERMS.title, None))

    conforms, _graph_report, text = validate(graph, shacl_graph=_shapes(), inference="rdfs")
    assert not conforms
    assert "title" in text


def test_catalog_datasets_and_distributions_carry_the_mandatory_and_recommended_properties(
    published,
):
    graph = _graph("json-ld")
    catalogs = list(graph.subjects(RDF.type, DCAT.Catalog))
    assert len(catalogs) == 1
    for prop in (DCTERMS.title, DCTERMS.description, DCTERMS.publisher):
        assert graph.value(catalogs[0], prop) is not None, prop
    datasets = set(graph.subjects(RDF.type, DCAT.Dataset))
    assert len(datasets) == Dataset.objects.count()
    for node in datasets:
        for prop in (
            DCTERMS.title,
            DCTERMS.description,
            DCAT.contactPoint,
            DCTERMS.publisher,
            DCAT.theme,
            DCAT.keyword,
            DCTERMS.spatial,
            DCTERMS.accrualPeriodicity,
            DCTERMS.accessRights,
        ):
            assert graph.value(node, prop) is not None, (node, prop)
    listings = URIRef("http://127.0.0.1:8000/open/datasets/listings-prices/")
    distributions = list(graph.objects(listings, DCAT.distribution))
    assert len(distributions) == 4
    for node in distributions:
        assert graph.value(node, DCAT.accessURL) is not None
        assert graph.value(node, DCAT.downloadURL) is not None
        assert graph.value(node, DCTERMS.license) is not None
        checksum = graph.value(node, SPDX.checksum)
        assert len(str(graph.value(checksum, SPDX.checksumValue))) == 64
    closed = URIRef("http://127.0.0.1:8000/open/datasets/health-records/")
    assert str(graph.value(closed, DCTERMS.accessRights)).endswith("NON_PUBLIC")
    assert list(graph.objects(closed, DCAT.distribution)) == []
