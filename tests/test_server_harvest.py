"""``/.well-known/void``: the dataset in VoID and DCAT for harvesters, on a real build;
validated against DCAT-AP's basics (``tests/data/dcat-ap-basics.shacl.ttl``) with pySHACL."""

from __future__ import annotations

import gzip
import hashlib
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pyshacl import validate
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, VOID, XSD

from dakg.graph.store import current_build

from .conftest import DATA
from .helpers import Server

SPDX = Namespace("http://spdx.org/rdf/terms#")
DATASET = URIRef("https://w3id.org/dakg/id/dataset")
SITE = "http://localhost"


@pytest.fixture(scope="module")
def described(built_app: Flask) -> Graph:
    response = built_app.test_client().get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    return Graph().parse(data=response.get_data(as_text=True), format="turtle")


def test_it_conforms_to_the_dcat_ap_basics(described: Graph) -> None:
    shapes = Graph().parse(DATA / "dcat-ap-basics.shacl.ttl")
    conforms, _, report = validate(described, shacl_graph=shapes)
    assert conforms, report


def test_the_shapes_catch_a_distribution_without_access_url(described: Graph) -> None:
    broken = Graph()
    for triple in described:
        if triple[1] != DCAT.accessURL:
            broken.add(triple)
    shapes = Graph().parse(DATA / "dcat-ap-basics.shacl.ttl")
    conforms, _, _ = validate(broken, shacl_graph=shapes)
    assert not conforms


def test_every_published_file_is_a_distribution_with_its_checksum_and_size(
        built_client: FlaskClient, described: Graph) -> None:
    with built_client.get("/dumps/SHA256SUMS") as listed:
        sums = listed.get_data(as_text=True).splitlines()
    assert len(sums) > 10
    for line in sums:
        digest, name = line.split("  ")
        download = URIRef(f"{SITE}/dumps/{name}")
        distribution = described.value(predicate=DCAT.downloadURL, object=download)
        assert (DATASET, DCAT.distribution, distribution) in described, name
        checksum = described.value(distribution, SPDX.checksum)
        assert described.value(checksum, SPDX.checksumValue) == Literal(
            digest, datatype=XSD.hexBinary)
        with built_client.get(f"/dumps/{name}") as got:
            assert hashlib.sha256(got.data).hexdigest() == digest
            assert described.value(distribution, DCAT.byteSize) == Literal(
                len(got.data), datatype=XSD.nonNegativeInteger)


def test_gzipped_dumps_say_what_they_hold(built_client: FlaskClient, described: Graph) -> None:
    gz = described.value(predicate=DCAT.downloadURL, object=URIRef(f"{SITE}/dumps/dakg.ttl.gz"))
    assert described.value(gz, DCAT.compressFormat) == URIRef(
        "http://www.iana.org/assignments/media-types/application/gzip")
    assert described.value(gz, DCAT.mediaType) == URIRef(
        "http://www.iana.org/assignments/media-types/text/turtle")
    with (built_client.get("/dumps/dakg.ttl.gz") as packed,
          built_client.get("/dumps/dakg.ttl") as plain):
        assert packed.mimetype == "application/gzip"
        assert gzip.decompress(packed.data) == plain.data
    # Only the files: the plain names the server decompresses are not distributions.
    assert described.value(predicate=DCAT.downloadURL,
                           object=URIRef(f"{SITE}/dumps/dakg.ttl")) is None


def test_each_named_graph_is_a_subset_with_its_own_turtle_file(built_client: FlaskClient,
                                                               described: Graph) -> None:
    subsets = list(described.objects(DATASET, VOID.subset))
    assert len(subsets) == 4  # ontology, reference, shared, the report
    for subset in subsets:
        dump = described.value(subset, VOID.dataDump)
        assert dump is not None and str(dump).endswith(".ttl.gz"), subset
        with built_client.get(str(dump).removeprefix(SITE)) as got:
            triples = Graph().parse(data=gzip.decompress(got.data), format="turtle")
        assert Literal(len(triples), datatype=XSD.integer) == described.value(subset,
                                                                              VOID.triples)


@pytest.fixture(scope="module")
def server(built: Path) -> Iterator[Server]:
    running = Server(built)
    yield running
    running.stop()


@pytest.mark.e2e
def test_harvesters_get_the_dumps_plain_or_gzipped(server: Server, built: Path) -> None:
    """curl with and without --compressed, and rdflib, read ``/dumps/dakg.nt`` from the
    gzipped file (decompressed by the client or by the server); the ``.gz`` is sent as is."""
    packed = (current_build(built) / "dumps" / "dakg.nt.gz").read_bytes()
    url = f"{server.url}/dumps/dakg.nt"
    for options in (["--compressed"], []):
        got = subprocess.run(["curl", "-s", "-S", "-f", *options, url], check=True,
                             capture_output=True).stdout
        assert got == gzip.decompress(packed), options
    headers = subprocess.run(["curl", "-s", "-S", "-f", "-D", "-", "-o", "/dev/null",
                              "--compressed", url], check=True, capture_output=True, text=True)
    assert "content-encoding: gzip" in headers.stdout.lower()
    parsed = Graph().parse(url, format="nt")
    assert len(parsed) == gzip.decompress(packed).count(b"\n")
    with urllib.request.urlopen(url + ".gz") as raw:
        assert raw.headers["Content-Type"] == "application/gzip" and raw.read() == packed


def test_licence_endpoint_and_void_figures(described: Graph) -> None:
    assert (DATASET, RDF.type, VOID.Dataset) in described
    assert described.value(DATASET, DCTERMS.license) == URIRef(
        "http://creativecommons.org/publicdomain/zero/1.0/")
    endpoint = described.value(DATASET, VOID.sparqlEndpoint)
    assert endpoint == URIRef(f"{SITE}/sparql")
    assert (endpoint, RDF.type, DCAT.DataService) in described
    triples = described.value(DATASET, VOID.triples)
    assert isinstance(triples, Literal) and int(triples) > 30_000


@pytest.mark.parametrize(("accept", "media_type"), [
    (None, "text/turtle"), ("*/*", "text/turtle"), ("application/ld+json", "application/ld+json"),
    ("application/rdf+xml", "application/rdf+xml"),
    ("application/n-triples", "application/n-triples")])
def test_negotiation(built_client: FlaskClient, accept: str | None, media_type: str) -> None:
    response = built_client.get("/.well-known/void", headers={"Accept": accept} if accept else {})
    assert response.status_code == 200 and response.mimetype == media_type


def test_a_browser_is_sent_to_the_dumps_page(built_client: FlaskClient) -> None:
    response = built_client.get("/.well-known/void", headers={
        "Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/dumps/")
    assert built_client.get("/.well-known/void", headers={"Accept": "image/png"}).status_code == 406
