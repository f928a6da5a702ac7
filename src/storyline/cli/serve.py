"""``storyline serve``: the web app over a database, on this machine unless asked otherwise."""

from __future__ import annotations

from pathlib import Path

import click

from ..config import display_database
from . import _print_json, cli, common_options, stderr


@cli.command()
@click.option(
    "--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="Port to listen on."
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. Anything but 127.0.0.1, localhost or ::1 needs --allow-remote.",
)
@click.option(
    "--allow-remote",
    is_flag=True,
    help="Listen on a non-local address: anyone who can reach it can read the corpus and correct it.",
)
@common_options
def serve(port: int, host: str, allow_remote: bool, db: Path | str, as_json: bool, quiet: bool) -> None:
    """Browse, filter and correct the story in a web browser (after build, or ingest and analyse).

    Pages: the timeline with filters and a coverage chart, events side by side per outlet, entities,
    articles with their names, dates and quotes marked, search, downloads, and forms to correct dates,
    outlets and entities. Every page has a JSON twin under /api (described at /openapi.json).

    \b
    Example:
      storyline serve --db story/storyline.db
      storyline serve --db story/storyline.db --port 8080
    """
    import uvicorn

    from ..web import create_app
    from ..web.app import LOCAL_HOST_HEADERS
    from ..web.security import is_local_host

    if isinstance(db, Path) and not db.is_file():
        raise click.BadParameter(f"no database at {db}; make one with `storyline build`", param_hint="--db")
    local = is_local_host(host)
    if not local and not allow_remote:
        raise click.BadParameter(
            f"{host} is not a local address; the app has no login, so serving it to others needs "
            "--allow-remote",
            param_hint="--host",
        )
    if not local:
        stderr.print(
            f"[yellow]warning[/yellow]: serving on {host}: anyone who can reach it can read and correct "
            "this corpus (there is no login)",
            markup=True,
            highlight=False,
        )
    shown_host = f"[{host}]" if ":" in host else host
    url = f"http://{shown_host}:{port}/"
    app = create_app(db, allowed_hosts=[*LOCAL_HOST_HEADERS, host] if local else ["*"])
    shown_db = display_database(db)  # a password in a PostgreSQL URL is never printed
    if as_json:
        _print_json({"db": shown_db, "url": url})
    stderr.print(f"Serving {shown_db} at {url}", highlight=False, markup=False)
    uvicorn.run(app, host=host, port=port, log_level="warning" if quiet or as_json else "info")
