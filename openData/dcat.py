"""The catalogue as DCAT-AP 3.0.1 (rdflib): JSON-LD and Turtle for harvesters.

Every dataset of the catalogue is described, 不予开放 ones included (with access rights
NON_PUBLIC and no distribution); each published dataset's latest release gives the
distributions, with download URL, size, media type and SHA-256 checksum.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone, translation
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS, XSD

from openData.models import Dataset, Release, ReleaseFile

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
DCAT_VERSION = URIRef(f"{DCAT}version")  # DCAT 3; rdflib's DCAT namespace predates it
EU = "http://publications.europa.eu/resource/authority/"
ACCESS_RIGHTS = {"open": "PUBLIC", "conditional": "RESTRICTED", "closed": "NON_PUBLIC"}
FILE_TYPES = {"csv": "CSV", "json": "JSON", "xlsx": "XLSX", "datapackage": "JSON", "hsds": "JSON"}
IANA = "https://www.iana.org/assignments/media-types/"
IANA_TYPES = {
    "csv": "text/csv",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "datapackage": "application/json",
    "hsds": "application/json",
}
LICENCE_URIS = {
    "CC-BY-4.0": "https://creativecommons.org/licenses/by/4.0/",
    "CC0-1.0": "https://creativecommons.org/publicdomain/zero/1.0/",
    "agreement": "/open/agreement/",
}
PUBLISHER_NAMES = {
    "civil_affairs": ("民政局", "Civil Affairs Bureau"),
    "health": ("卫生健康委员会", "Health Commission"),
    "commerce": ("商务局", "Commerce Bureau"),
    "education": ("教育局", "Education Bureau"),
    "culture_tourism": ("文化广电旅游局", "Culture and Tourism Bureau"),
    "sports": ("体育局", "Sports Bureau"),
}


def _url(path: str) -> URIRef:
    return URIRef(f"{settings.PORTAL_BASE_URL}{path}")


def _texts(graph: Graph, subject, predicate, zh: str, en: str) -> None:
    graph.add((subject, predicate, Literal(zh, lang="zh")))
    if en:
        graph.add((subject, predicate, Literal(en, lang="en")))


def _concept(graph: Graph, uri: str, kind) -> URIRef:
    node = URIRef(uri)
    graph.add((node, RDF.type, kind))
    return node


def publisher_node(graph: Graph, department: str) -> URIRef:
    node = _url(f"/open/publishers/{department}")
    zh, en = PUBLISHER_NAMES.get(department, (department, department))
    graph.add((node, RDF.type, FOAF.Agent))
    graph.add((node, FOAF.name, Literal(f"{settings.PORTAL_CITY_NAME}{zh}", lang="zh")))
    graph.add((node, FOAF.name, Literal(f"{settings.PORTAL_CITY_NAME_EN} {en}", lang="en")))
    kind = _concept(graph, f"{EU}corporate-body-type/LOCAL_AUTH", SKOS.Concept)
    graph.add((kind, SKOS.prefLabel, Literal("Local authority", lang="en")))
    graph.add((node, DCTERMS.type, kind))
    return node


def catalogue_graph(datasets: list[Dataset]) -> Graph:
    graph = Graph()
    graph.bind("dcat", DCAT)
    graph.bind("dct", DCTERMS)
    graph.bind("foaf", FOAF)
    graph.bind("vcard", VCARD)
    graph.bind("spdx", SPDX)
    graph.bind("adms", ADMS)
    catalog = _url("/open/")
    graph.add((catalog, RDF.type, DCAT.Catalog))
    with translation.override("zh-hans"):
        _texts(
            graph,
            catalog,
            DCTERMS.title,
            f"{settings.PORTAL_CITY_NAME}社会服务开放数据目录",
            f"{settings.PORTAL_CITY_NAME_EN} social services open data catalogue",
        )
        _texts(
            graph,
            catalog,
            DCTERMS.description,
            "养老、托育、家政和医疗健康服务的开放数据：按目录、清单和时间表发布，"
            "经个人信息安全审查。",
            "Open data on eldercare, childcare, domestic and health services, published by "
            "catalogue and timetable after a personal-data check.",
        )
    graph.add((catalog, DCTERMS.publisher, publisher_node(graph, "civil_affairs")))
    graph.add(
        (
            catalog,
            FOAF.homepage,
            _concept(graph, f"{settings.PORTAL_BASE_URL}/open/", FOAF.Document),
        )
    )
    for code in ("ZHO", "ENG"):
        graph.add(
            (
                catalog,
                DCTERMS.language,
                _concept(graph, f"{EU}language/{code}", DCTERMS.LinguisticSystem),
            )
        )
    graph.add((catalog, DCTERMS.spatial, _location(graph, settings.PORTAL_CITY_CODE)))
    graph.add((catalog, DCTERMS.modified, Literal(timezone.localdate(), datatype=XSD.date)))
    themes = _concept(graph, f"{EU}data-theme", SKOS.ConceptScheme)
    graph.add((themes, DCTERMS.title, Literal("Data theme", lang="en")))
    graph.add((catalog, DCAT.themeTaxonomy, themes))
    for dataset in datasets:
        node = dataset_node(graph, dataset)
        graph.add((catalog, DCAT.dataset, node))
    return graph


def _location(graph: Graph, code: str) -> URIRef:
    node = _url(f"/open/divisions/{code}")
    graph.add((node, RDF.type, DCTERMS.Location))
    graph.add((node, DCTERMS.identifier, Literal(code)))
    return node


def dataset_node(graph: Graph, dataset: Dataset) -> URIRef:
    node = _url(f"/open/datasets/{dataset.slug}/")
    graph.add((node, RDF.type, DCAT.Dataset))
    graph.add((node, DCTERMS.identifier, Literal(dataset.slug)))
    _texts(graph, node, DCTERMS.title, dataset.title, dataset.title_en)
    _texts(graph, node, DCTERMS.description, dataset.description, dataset.description_en)
    graph.add((node, DCTERMS.publisher, publisher_node(graph, dataset.publisher)))
    contact = BNode()
    graph.add((contact, RDF.type, VCARD.Organization))
    graph.add((contact, RDF.type, VCARD.Kind))  # stated: no vcard ontology is loaded to infer it
    graph.add((contact, VCARD.fn, Literal(dataset.contact_name)))
    graph.add((contact, VCARD.hasTelephone, URIRef(f"tel:{dataset.contact_phone}")))
    graph.add(
        (contact, VCARD.hasURL, URIRef(f"{settings.PORTAL_BASE_URL}/open/datasets/{dataset.slug}/"))
    )
    graph.add((node, DCAT.contactPoint, contact))
    for theme in dataset.themes:
        concept = _concept(graph, f"{EU}data-theme/{theme}", SKOS.Concept)
        graph.add((concept, SKOS.prefLabel, Literal(str(Dataset.Theme(theme).label), lang="zh")))
        graph.add((concept, SKOS.inScheme, URIRef(f"{EU}data-theme")))
        graph.add((node, DCAT.theme, concept))
    for keyword in dataset.keywords:
        graph.add((node, DCAT.keyword, Literal(keyword, lang="zh")))
    for code in dataset.spatial:
        graph.add((node, DCTERMS.spatial, _location(graph, code)))
    if dataset.temporal_start or dataset.temporal_end:
        period = BNode()
        graph.add((period, RDF.type, DCTERMS.PeriodOfTime))
        if dataset.temporal_start:
            graph.add((period, DCAT.startDate, Literal(dataset.temporal_start, datatype=XSD.date)))
        if dataset.temporal_end:
            graph.add((period, DCAT.endDate, Literal(dataset.temporal_end, datatype=XSD.date)))
        graph.add((node, DCTERMS.temporal, period))
    graph.add(
        (
            node,
            DCTERMS.accrualPeriodicity,
            _concept(graph, f"{EU}frequency/{dataset.periodicity}", DCTERMS.Frequency),
        )
    )
    rights = _concept(
        graph, f"{EU}access-right/{ACCESS_RIGHTS[dataset.access]}", DCTERMS.RightsStatement
    )
    graph.add((node, DCTERMS.accessRights, rights))
    graph.add((rights, RDFS.label, Literal(dataset.get_access_display(), lang="zh")))
    graph.add(
        (
            node,
            DCAT.landingPage,
            _concept(
                graph, f"{settings.PORTAL_BASE_URL}/open/datasets/{dataset.slug}/", FOAF.Document
            ),
        )
    )
    graph.add((node, DCTERMS.issued, Literal(dataset.created_at.date(), datatype=XSD.date)))
    graph.add((node, DCTERMS.modified, Literal(dataset.updated_at.date(), datatype=XSD.date)))
    latest = dataset.releases.order_by("-version").prefetch_related("files").first()
    if latest is not None:
        graph.add((node, DCAT_VERSION, Literal(str(latest.version))))
        graph.add((node, DCTERMS.modified, Literal(latest.published_at.date(), datatype=XSD.date)))
        for file in latest.files.all():
            graph.add((node, DCAT.distribution, distribution_node(graph, dataset, latest, file)))
    return node


def distribution_node(
    graph: Graph, dataset: Dataset, release: Release, file: ReleaseFile
) -> URIRef:
    download = _url(
        f"/api/open/v1/datasets/{dataset.slug}/releases/{release.version}/files/{file.name}"
    )
    node = _url(f"/open/datasets/{dataset.slug}/releases/{release.version}/{file.name}")
    graph.add((node, RDF.type, DCAT.Distribution))
    graph.add(
        (
            node,
            DCTERMS.title,
            Literal(f"{dataset.title} v{release.version} · {file.name}", lang="zh"),
        )
    )
    graph.add((node, DCAT.accessURL, _concept(graph, str(download), RDFS.Resource)))
    graph.add((node, DCAT.downloadURL, _concept(graph, str(download), RDFS.Resource)))
    graph.add(
        (
            node,
            DCTERMS.format,
            _concept(graph, f"{EU}file-type/{FILE_TYPES[file.format]}", DCTERMS.MediaTypeOrExtent),
        )
    )
    graph.add(
        (
            node,
            DCAT.mediaType,
            _concept(graph, f"{IANA}{IANA_TYPES[file.format]}", DCTERMS.MediaType),
        )
    )
    graph.add((node, DCAT.byteSize, Literal(file.size, datatype=XSD.nonNegativeInteger)))
    graph.add((node, DCTERMS.issued, Literal(release.published_at.date(), datatype=XSD.date)))
    licence = LICENCE_URIS[dataset.licence]
    if licence.startswith("/"):
        licence = f"{settings.PORTAL_BASE_URL}{licence}"
    graph.add((node, DCTERMS.license, _concept(graph, licence, DCTERMS.LicenseDocument)))
    rights = _concept(
        graph, f"{EU}access-right/{ACCESS_RIGHTS[dataset.access]}", DCTERMS.RightsStatement
    )
    graph.add((node, DCTERMS.rights, rights))
    checksum = BNode()
    graph.add((checksum, RDF.type, SPDX.Checksum))
    graph.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
    graph.add((SPDX.checksumAlgorithm_sha256, RDF.type, SPDX.ChecksumAlgorithm))
    graph.add((checksum, SPDX.checksumValue, Literal(file.sha256, datatype=XSD.hexBinary)))
    graph.add((node, SPDX.checksum, checksum))
    return node


def catalogue_serialise(datasets: list[Dataset], fmt: str) -> str:
    """`fmt` is "json-ld" or "turtle"."""
    graph = catalogue_graph(datasets)
    if fmt == "json-ld":
        context = {
            "dcat": str(DCAT),
            "dct": str(DCTERMS),
            "foaf": str(FOAF),
            "vcard": str(VCARD),
            "spdx": str(SPDX),
            "xsd": str(XSD),
            "skos": str(SKOS),
            "rdfs": str(RDFS),
        }
        return graph.serialize(format="json-ld", context=context, indent=2)
    return graph.serialize(format="turtle")
