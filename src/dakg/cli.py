"""The ``dakg`` command: build, validate, export, query, stats, serve."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import pyoxigraph as ox
from rdflib import Graph

from dakg import __version__
from dakg.formats import rdf_extensions
from dakg.graph import build as pipeline
from dakg.graph.dumps import (
    FORMATS,
    dump_format,
    to_bytes,
)
from dakg.graph.dumps import export as export_store
from dakg.graph.errors import GraphError, ValidationFailed
from dakg.graph.live import live_copy, read_copy, reset_live_copy
from dakg.graph.query import GRAPH_OUTPUTS, OUTPUT_FORMATS, SOLUTION_OUTPUTS, render, run_query
from dakg.graph.rdf.dataset import rebase_graph, shapes_graph
from dakg.graph.rdf.namespaces import DEFAULT_BASE, prefixes_for
from dakg.graph.stats import coverage, figures, graph_sizes
from dakg.graph.store import (
    agreed_base_iri,
    list_builds,
    locked,
    open_store,
    prune_builds,
    sweep_work_folders,
)
from dakg.graph.validate import validate as shacl_validate
from dakg.graph.validate_store import fixed_graph_names, validate_store
from dakg.settings import SECRETS, Settings, describe

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


def data_files(help_text: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """``--data FILE…``: one option followed by any number of files.

    click options take one value each; the files after the first are taken as arguments, so
    that ``--data a.ttl b.ttl`` works as README writes it (``--data a.ttl --data b.ttl`` too).
    """
    def decorate(command: Callable[..., None]) -> Callable[..., None]:
        command = click.argument("more_files", nargs=-1, metavar="",
                                 type=click.Path(path_type=Path))(command)
        return click.option("--data", "files", multiple=True, type=_FILE, metavar="FILE…",
                            help=help_text)(command)
    return decorate


def _data_files(files: tuple[Path, ...], more: tuple[Path, ...]) -> tuple[Path, ...]:
    if more and not files:
        raise click.UsageError("files are given after --data: --data FILE…")
    for path in more:  # checked here, as click checks those of --data itself
        try:
            _FILE.convert(str(path), None, None)
        except click.BadParameter as e:
            e.param_hint = "'--data'"
            raise
    return files + more


def live_option(command: Callable[..., None]) -> Callable[..., None]:
    return click.option("--live", is_flag=True,
                        help="Read the live copy (what a server with a write token serves) "
                             "instead of the current build.")(command)


class Context:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings


pass_context = click.make_pass_decorator(Context)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dakg")
@click.option("--data-dir", type=click.Path(path_type=Path), default=None,
              help="Folder of the store and dumps [env DAKG_DATA_DIR; default ./var].")
@click.option("--base-iri", default=None,
              help=f"Base of the IRIs dakg mints [env DAKG_BASE_IRI; default {DEFAULT_BASE}].")
@click.pass_context
def main(ctx: click.Context, data_dir: Path | None, base_iri: str | None) -> None:
    """dakg: the Development Agenda Knowledge Graph (WIPO CDIP/35/2 as linked data)."""
    try:
        settings = Settings.from_env(data_dir=data_dir, base_iri=base_iri)
    except ValueError as e:
        raise click.UsageError(str(e)) from e
    if ctx.invoked_subcommand != "build":  # what reads a build reads it with its own base
        built = _guard(lambda: agreed_base_iri(settings.data_dir, settings.base_iri,
                                               DEFAULT_BASE))
        settings = settings.replace(base_iri=built)
    ctx.obj = Context(settings)


@main.command()
@click.option("--source", "sources", multiple=True,
              type=click.Path(exists=True, path_type=Path),
              help="Manifest (.toml) of a report to build from, or a folder of them; repeat "
              "for a series [default: vendored CDIP/35/2].")
@click.option("--reference", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Curated reference file [default: the one shipped with dakg].")
@click.option("--store", "store_url", metavar="URL", default=None,
              help="Also load the graphs into this SPARQL server's query endpoint "
                   "[env DAKG_STORE; see the store_* settings].")
@pass_context
def build(context: Context, sources: tuple[Path, ...], reference: Path | None,
          store_url: str | None) -> None:
    """Extract the reports, validate the graph, load the store and write the dumps.

    Each report becomes its own named graph. The build is atomic: if any step fails, the
    previous store and dumps stay as they were.
    """
    try:
        settings = context.settings.replace(reference=reference or context.settings.reference,
                                            store=store_url or context.settings.store)
    except ValueError as e:
        raise click.UsageError(str(e)) from e
    if not sources and settings.source is not None:
        sources = (settings.source,)
    for source in sources:
        if not source.is_dir() and source.suffix != ".toml":
            raise click.UsageError(
                f"{source} is not a source manifest: --source takes a .toml file that "
                "names the report's text and describes it (symbol, language, file, sha256, "
                "committee, session, origin), like graph/sources/cdip_35_2_zh.toml, or a "
                "folder of them")
    total = len(_guard(lambda: pipeline.manifest_paths(sources)))
    with _BuildProgress(total) as progress:
        result = _guard(lambda: pipeline.build(settings.data_dir, base_iri=settings.base_iri,
                                               manifests=sources,
                                               reference_path=settings.reference,
                                               store=settings.store_endpoints(),
                                               progress=progress))
    click.echo(f"built {result.version} in {result.path}")
    if settings.store is not None:
        click.echo(f"  served by {settings.store}")
    shown = list(result.graphs.items())
    for name, count in shown[:_GRAPHS_SHOWN]:
        click.echo(f"  {count:>7} triples in <{name}>")
    if len(shown) > _GRAPHS_SHOWN:
        rest = shown[_GRAPHS_SHOWN:]
        click.echo(f"  {sum(c for _, c in rest):>7} triples in {len(rest)} more graphs")
    timing = ", ".join(f"{step} {seconds:.2f}s" for step, seconds in result.seconds.items())
    click.echo(f"  {timing}")
    click.echo(f"  dumps: {result.path / 'dumps'}")
    if result.validation.results:  # warnings do not stop a build, but someone should see them
        click.echo(result.validation.text(), err=True)


_GRAPHS_SHOWN = 12  # a series prints its first graphs (by name), then a count of the rest


class _BuildProgress:
    """A build's progress on standard error: a bar on a terminal (report n of N, triples,
    elapsed time), else one plain line per report, for logs."""

    def __init__(self, total: int) -> None:
        self.bar = click.progressbar(length=total, label="building", file=sys.stderr,
                                     item_show_func=self._item) \
            if sys.stderr.isatty() and total > 1 else None

    def __enter__(self) -> _BuildProgress:
        if self.bar is not None:
            self.bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)

    def __call__(self, step: pipeline.Progress) -> None:
        if self.bar is not None:
            self.bar.update(1, step)
        else:
            click.echo(f"report {step.done} of {step.total}: {self._item(step)}", err=True)

    @staticmethod
    def _item(step: pipeline.Progress | None) -> str | None:
        if step is None:
            return None
        return f"{step.symbol}, {step.triples:,} triples, {step.seconds:.1f} s"


@main.command()
@data_files("Validate these RDF files instead of the store (format from the extension: "
            + ", ".join(rdf_extensions()) + ").")
@live_option
@pass_context
def validate(context: Context, files: tuple[Path, ...], more_files: tuple[Path, ...],
             live: bool) -> None:
    """Check the store (or RDF files) against the SHACL shapes; exit 1 on a violation."""
    files = _data_files(files, more_files)
    base = context.settings.base_iri
    data = Graph()
    if files:
        for path in files:
            # Read with the server's guarded reader, never rdflib's: rdflib would fetch
            # remote JSON-LD contexts.
            quads = _guard(lambda path=path: _read_rdf(path))
            nt = to_bytes({ox.Triple(q.subject, q.predicate, q.object) for q in quads},
                          ox.RdfFormat.N_TRIPLES)
            data.parse(data=nt, format="nt")
    else:
        copy = _guard(lambda: read_copy(context.settings.data_dir, live=live))
        click.echo(copy.text(), err=True)
        # The shapes must speak of the IRIs the store was built with.
        base = copy.base_iri
    shapes = rebase_graph(shapes_graph(), base)
    # A store is read graph by graph, a report at a time, never whole.
    outcome = shacl_validate(data, shapes) if files else validate_store(
        copy.store, shapes, fixed_graph_names(base), copy.path)
    click.echo(outcome.text())
    if outcome.violations:
        sys.exit(1)


@main.command()
@click.option("--format", "fmt", type=click.Choice(list(FORMATS)), default="turtle",
              show_default=True, help="RDF format to write.")
@click.option("--graph", "graph_name", default="all", show_default=True,
              help="'all', a named graph IRI, or its name under /id/graph/ (ontology, "
                   "reference, shared, report/CDIP/35/2).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write [default: standard output].")
@pass_context
def export(context: Context, fmt: str, graph_name: str, output: Path | None) -> None:
    """Write the dataset, or one named graph, in an RDF format."""
    store = _guard(lambda: open_store(context.settings.data_dir))
    iri = None
    if graph_name != "all":  # read the one graph from the store's index, not the whole store
        iri = graph_name if "://" in graph_name else \
            f"{context.settings.base_iri}id/graph/{graph_name}"
        if not store.contains_named_graph(ox.NamedNode(iri)):
            known = sorted(g.value for g in store.named_graphs()
                           if isinstance(g, ox.NamedNode))
            raise click.ClickException(f"no graph <{iri}> in the store; it has: "
                                       + ", ".join(known))
    if output is None:
        export_store(store, dump_format(fmt), _prefixes(context.settings), sys.stdout.buffer,
                     iri)
        return
    with output.open("wb") as out:
        export_store(store, dump_format(fmt), _prefixes(context.settings), out, iri)


@main.command()
@click.argument("query", required=False)
@click.option("--file", "-f", "query_file", type=click.File("r", encoding="utf-8"),
              help="Read the query from this file ('-' for standard input).")
@click.option("--format", "fmt", type=click.Choice(OUTPUT_FORMATS), default="table",
              show_default=True,
              help=f"How to print the result: {', '.join(SOLUTION_OUTPUTS)} for SELECT and "
                   f"ASK; {', '.join(GRAPH_OUTPUTS)} for CONSTRUCT and DESCRIBE (table is "
                   "turtle there).")
@pass_context
def query(context: Context, query: str | None, query_file: Any, fmt: str) -> None:
    """Run a SPARQL query on the store.

    The default graph is the union of all named graphs, and the usual prefixes (dakg, oa,
    skos, dcterms, prov, org, fabio, rdfs, xsd, …) are declared.
    """
    if query is None and query_file is None:
        raise click.UsageError("no query given: write it as an argument (dakg query "
                               "'SELECT …') or in a file (--file q.rq, '-' for standard input)")
    if query is not None and query_file is not None:
        raise click.UsageError("give the query as an argument or with --file, not both")
    text = query if query is not None else query_file.read()
    store = _guard(lambda: open_store(context.settings.data_dir))
    result = _guard(lambda: run_query(store, text, _prefixes(context.settings)))
    written = _guard(lambda: render(result, fmt, _prefixes(context.settings)))
    # Oxigraph's XML and JSON writers end without a newline; a shell prompt would follow on
    # the same line. Every format here allows trailing whitespace.
    sys.stdout.buffer.write(written if written.endswith(b"\n") else written + b"\n")


@main.command()
@live_option
@pass_context
def stats(context: Context, live: bool) -> None:
    """Print figures about the current build (or the live copy)."""
    copy = _guard(lambda: read_copy(context.settings.data_dir, live=live))
    click.echo(copy.text())
    for name, count in graph_sizes(copy.store).items():
        click.echo(f"{count:>8}  triples in <{name}>")
    for label, value in figures(copy.store, prefixes_for(copy.base_iri)).items():
        click.echo(f"{value:>8}  {label}")
    click.echo("names in English and in Chinese:")
    for c in coverage(copy.store, prefixes_for(copy.base_iri)):
        click.echo(f"{c.total:>8}  {c.kind}: {c.english} with an English name, "
                   f"{c.chinese} with a Chinese name")


@main.command()
@click.option("--host", default=None, help="Address to listen on [env DAKG_HOST; 127.0.0.1].")
@click.option("--port", type=int, default=None, help="Port [env DAKG_PORT; 8000].")
@click.option("--workers", type=int, default=None,
              help="Web server worker processes [env DAKG_WORKERS; 2].")
@click.option("--query-timeout", type=float, default=None,
              help="Seconds a query may run [env DAKG_QUERY_TIMEOUT; 10].")
@click.option("--row-limit", type=int, default=None,
              help="Most rows a result may carry [env DAKG_ROW_LIMIT; 10000].")
@click.option("--write-token-file", type=click.File("r"), default=None,
              help="File holding the bearer token that turns writing on [env "
                   "DAKG_WRITE_TOKEN]; without one the server is read-only.")
@click.option("--store", "store_url", metavar="URL", default=None,
              help="Answer every query and write from this SPARQL server, loaded by 'dakg "
                   "build --store' [env DAKG_STORE].")
@data_files("Serve these RDF files (any format, by extension) instead of the report.")
@pass_context
def serve(context: Context, host: str | None, port: int | None, workers: int | None,
          query_timeout: float | None, row_limit: int | None, write_token_file: Any,
          store_url: str | None, files: tuple[Path, ...], more_files: tuple[Path, ...]) -> None:
    """Serve the graph over SPARQL 1.1 (building it first if there is no store yet)."""
    files = _data_files(files, more_files)
    from dakg.graph.rdf_input import UnsafeInput
    from dakg.server.dataset import LinkedDataset, load_files
    from dakg.server.serve import serve as run_server

    token = write_token_file.read().strip() if write_token_file else None  # "" is refused
    try:
        settings = context.settings.replace(
            **{k: v for k, v in {"host": host, "port": port, "workers": workers,
                                 "query_timeout": query_timeout, "row_limit": row_limit,
                                 "write_token": token, "store": store_url}.items()
               if v is not None})
    except ValueError as e:
        raise click.UsageError(str(e)) from e
    if files:
        try:
            dataset = load_files(list(files), settings.data_dir / "served-data",
                                 settings.base_iri)
        except (UnsafeInput, OSError) as e:
            raise click.ClickException(str(e)) from e
    else:
        dataset = LinkedDataset(settings.data_dir)
        if settings.store is None and not dataset.exists():  # a store server has its own
            click.echo(f"no store in {settings.data_dir}: building it first", err=True)
            click.get_current_context().invoke(build)
    run_server(settings, dataset=dataset)


@main.command("settings")
@pass_context
def show_settings(context: Context) -> None:
    """Print every setting: its value, environment variable and meaning."""
    for name, env, _default, help_text in describe():
        click.echo(f"{name} = {_shown(name, getattr(context.settings, name))}\n"
                   f"    {env}: {help_text}")


# What an unset setting means, as `dakg settings` shows it.
_UNSET = {"source": "(not set: the vendored CDIP/35/2, {})",
          "reference": "(not set: the curated data shipped with dakg, {})",
          "write_token": "(not set: the server is read-only)",
          "service_allowlist": "(empty: SERVICE and LOAD may fetch from nowhere)",
          "store": "(not set: the embedded Oxigraph store in data_dir)"}


def _shown(name: str, value: object) -> str:
    if name in SECRETS and value:
        return "(set)"
    if value in (None, ()):
        from dakg.graph.reference.load import bundled_reference_path
        from dakg.graph.source import bundled_manifests

        default = {"source": bundled_manifests()[0],
                   "reference": bundled_reference_path()}.get(name)
        return _UNSET.get(name, "(not set)").format(default)
    if isinstance(value, tuple):
        return " ".join(value)
    return str(value)


@main.group()
def builds() -> None:
    """List the builds kept in the data folder, or delete old ones."""


@builds.command("list")
@pass_context
def list_builds_command(context: Context) -> None:
    """Print the builds, newest first, with their size; * marks the current one."""
    found = list_builds(context.settings.data_dir)
    if not found:
        click.echo(f"no builds in {context.settings.data_dir}")
    for b in found:
        when = dt.datetime.fromtimestamp(b.modified, dt.UTC).isoformat(timespec="seconds")
        click.echo(f"{'*' if b.current else ' '} {b.version}  {when}  "
                   f"{b.size / 2**20:8.1f} MiB  {b.path}")


@builds.command("prune")
@click.option("--keep", type=click.IntRange(min=1), default=2, show_default=True,
              help="Builds to keep: the current one and the newest others.")
@pass_context
def prune_builds_command(context: Context, keep: int) -> None:
    """Delete old builds (and what killed builds left), keeping the current one.

    A server started before the last build may still read the build before it: keep 2 unless
    no server runs.
    """
    data_dir = context.settings.data_dir
    if not (data_dir / "builds").is_dir():
        raise click.ClickException(f"no builds in {data_dir}")
    with locked(data_dir):
        sweep_work_folders(data_dir)
        removed = prune_builds(data_dir, keep)
    freed = sum(b.size for b in removed)
    click.echo(f"deleted {len(removed)} build(s), {freed / 2**20:.1f} MiB; "
               f"kept {len(list_builds(data_dir))}")


@main.group()
def live() -> None:
    """The live copy: the store a server with a write token serves and writes to."""


@live.command("status")
@pass_context
def live_status(context: Context) -> None:
    """Say where the live copy started and how many writes it has taken."""
    found = live_copy(context.settings.data_dir)
    if found is None:
        click.echo(f"no live copy in {context.settings.data_dir} (a server with a write token "
                   "makes one from the current build)")
    else:
        click.echo(found.describe())


@live.command("reset")
@click.option("--to", "version", default=None,
              help="Version of the build to start from [default: the current build].")
@pass_context
def live_reset(context: Context, version: str | None) -> None:
    """Replace the live copy with a build, dropping its writes.

    A running server serves the reset copy from its next request.
    """
    found = _guard(lambda: reset_live_copy(context.settings.data_dir, version))
    click.echo(f"reset: {found.describe()}")


def _read_rdf(path: Path) -> list[ox.Quad]:
    from dakg.graph.rdf_input import UnsafeInput, format_for, parse_rdf

    try:
        return parse_rdf(path.read_bytes(), format_for(file_name=path.name),
                         base_iri=path.resolve().as_uri())
    except UnsafeInput as e:
        raise click.ClickException(f"{path}: {e}") from e


def _prefixes(settings: Settings) -> dict[str, str]:
    return prefixes_for(settings.base_iri)


def _guard(action: Any) -> Any:
    """Run ``action``; turn dakg's own errors into a clean message and exit status 1."""
    try:
        return action()
    except ValidationFailed as e:
        click.echo(e.report, err=True)
        raise click.ClickException(f"the build was not written: {e.violations} SHACL "
                                   "violation(s)") from e
    except GraphError as e:
        raise click.ClickException(str(e)) from e
