"""The ``dagrute`` command: the solver's commands plus the service's.

``solver`` never imports ``app``; this module composes the two command sets instead:
``solve``, ``check``, ``generate`` (from ``solver.cli``) and ``serve``, ``worker``,
``db upgrade``, ``keys create|list|revoke`` (here).
"""

from __future__ import annotations

import json
import os
import re
import signal
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from solver.cli import app as solver_app
from solver.config import configure_logging, get_config

if TYPE_CHECKING:
    import uvicorn

    from app.db.session import Database

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help=solver_app.info.help,
)
app.registered_callback = solver_app.registered_callback
app.registered_commands.extend(solver_app.registered_commands)
app.registered_groups.extend(solver_app.registered_groups)

db_app = typer.Typer(no_args_is_help=True, help="The job database.")
keys_app = typer.Typer(no_args_is_help=True, help="API keys (shown once when created).")
app.add_typer(db_app, name="db")
app.add_typer(keys_app, name="keys")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address (default DAGRUTE_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default DAGRUTE_PORT).")] = None,
    workers: Annotated[
        int | None,
        typer.Option(help="Worker processes to start (default DAGRUTE_SERVICE_WORKERS)."),
    ] = None,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo",
            help="Try it out: SQLite in out/dagrute.db (unless DAGRUTE_DATABASE_URL is set), "
            "one API key per role in out/demo-keys.json, the sample week submitted as a job, "
            "and the URLs to look at printed. Restarts reuse all of it.",
        ),
    ] = False,
) -> None:
    """Run the HTTP API and its worker processes (Ctrl-C stops both)."""
    import uvicorn

    from app.db.migrate import upgrade
    from app.db.session import Database
    from app.jobs.supervisor import WorkerSupervisor
    from app.main import create_app
    from app.settings import ServiceSettings, service_log_levels

    settings = ServiceSettings()  # the demo too: out/dagrute.db unless a variable says else
    config = get_config()
    log_level, uvicorn_level = service_log_levels(config)
    configure_logging(log_level, config.log_json)
    database = Database(settings.database_url)
    upgrade(database)
    tokens = _demo_keys(database, DEMO_DIR / DEMO_KEYS_FILE) if demo else {}
    count = settings.service_workers if workers is None else workers
    supervisor = WorkerSupervisor(count)  # same folder and variables: the same database
    # uvicorn re-raises SIGTERM after its graceful shutdown; with the default handler that
    # would end this process before the finally below, leaving the workers orphaned.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    supervisor.start()
    try:
        bind_host, bind_port = host or settings.host, port or settings.port
        server = uvicorn.Server(
            uvicorn.Config(
                create_app(settings, database),
                host=bind_host,
                port=bind_port,
                log_level=uvicorn_level,
                access_log=True,
            )
        )
        if demo:
            base = f"http://{_url_host(bind_host)}:{bind_port}"
            typer.echo(f"dagrute demo: starting on {base} (database {_shown_url(settings)}) ...")
            threading.Thread(
                target=_run_demo, args=(server, base, tokens), name="demo", daemon=True
            ).start()
        server.run()
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second SIGTERM must not cut this short
        supervisor.stop()
        database.dispose()


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


# ---------------------------------------------------------------------------------- demo

ORGANISATION_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
"""An organisation id: a short slug such as ``bergen`` or ``bergen-arna``."""

DEMO_DIR = Path("out")
"""Where ``serve --demo`` keeps its keys (relative to the current folder), beside the
default database (``app.settings.DEFAULT_DATABASE_FILE``)."""
DEMO_KEYS_FILE = "demo-keys.json"
DEMO_ROLES = ("planner", "dispatcher", "analyst", "admin")
DEMO_IDEMPOTENCY_KEY = "dagrute-demo-oslo-east-week"
"""Submitting the sample again with this key returns the first job (restarts reuse it)."""
DEMO_SAMPLE = Path("data") / "samples" / "oslo-east-week.json"
DEMO_DETAILS = Path("data") / "samples" / "oslo-east-details.csv"
"""Invented names, the nearest street's name and notes for the sample's passengers."""
DEMO_POLL_S = 2.0
DEMO_HTTP_TIMEOUT_S = 120.0
TERMINAL_STATUSES = ("succeeded", "failed", "cancelled")


def _sample_file(sample: Path = DEMO_SAMPLE) -> Path:
    """A bundled sample file: above this module (a checkout), else in the current folder."""
    for folder in Path(__file__).resolve().parents:
        if (folder / sample).is_file():
            return folder / sample
    return Path.cwd() / sample


def _url_host(host: str) -> str:
    """The host to put in URLs for a server bound to ``host``."""
    if host in ("0.0.0.0", "::", ""):
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


def _shown_url(settings: Any) -> str:
    """The database URL without its password."""
    from sqlalchemy.engine import make_url

    return make_url(settings.database_url).render_as_string(hide_password=True)


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` readable by its owner only (mode 0600), atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(partial, 0o600)  # an older partial file may have had another mode
    os.replace(partial, path)


def _demo_keys(database: Database, path: Path) -> dict[str, str]:
    """One active key per role: those in ``path`` that still work, new ones for the rest.

    Writes the tokens back to ``path`` (mode 0600) and revokes older demo keys (named
    ``demo-<role>``) whose tokens were lost.
    """
    from app.api.keys import create_key
    from app.db.repositories import KeyRepository
    from app.security import split_token, verify_token

    try:
        known = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        known = {}
    if not isinstance(known, dict):
        known = {}
    tokens: dict[str, str] = {}
    for role in DEMO_ROLES:
        token = known.get(role)
        caller = verify_token(database, token) if isinstance(token, str) else None
        if isinstance(token, str) and caller is not None and caller.role.value == role:
            tokens[role] = token
        else:
            tokens[role] = create_key(database, f"demo-{role}", role).token
    in_use = {parts[0] for parts in map(split_token, tokens.values()) if parts is not None}
    demo_names = {f"demo-{role}" for role in DEMO_ROLES}
    with database.write() as session:
        keys = KeyRepository(session)
        for key in keys.list():
            if key.name in demo_names and key.revoked_at is None and key.id not in in_use:
                keys.revoke(key.id)
    _write_private(path, json.dumps(tokens, indent=2) + "\n")
    return tokens


def _call(
    method: str, url: str, token: str, body: bytes | None = None, **headers: str
) -> tuple[int, dict[str, Any]]:
    """Status and JSON body of one request to the demo's own API."""
    request = urllib.request.Request(
        url, data=body, method=method, headers={"Authorization": f"Bearer {token}", **headers}
    )
    try:
        with urllib.request.urlopen(request, timeout=DEMO_HTTP_TIMEOUT_S) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        try:
            return error.code, json.loads(error.read())
        except ValueError:
            return error.code, {}


def _run_demo(server: uvicorn.Server, base: str, tokens: dict[str, str]) -> None:
    """Once the server answers: submit the sample week, print where to look, report the end."""
    while not server.started:
        if server.should_exit:
            return
        time.sleep(0.1)
    try:
        _demo_session(server, base, tokens)
    except (OSError, ValueError) as error:  # the server stopped, or answered nonsense
        if not server.should_exit:
            typer.echo(f"dagrute demo: talking to {base} failed ({type(error).__name__}).")


def _demo_session(server: uvicorn.Server, base: str, tokens: dict[str, str]) -> None:
    sample = _sample_file()
    status, job = _call(
        "POST",
        f"{base}/v1/plans",
        tokens["planner"],
        sample.read_bytes(),
        **{"Content-Type": "application/json", "Idempotency-Key": DEMO_IDEMPOTENCY_KEY},
    )
    if status != 202:
        typer.echo(f"dagrute demo: submitting {sample} failed ({status}): {job.get('detail')}")
        return
    job_url = f"{base}/v1/jobs/{job['id']}"
    dispatcher = tokens["dispatcher"]
    details = _sample_file(DEMO_DETAILS)
    if details.is_file():  # names and addresses on the dispatcher's manifests
        status, stored = _call(
            "PUT",
            f"{base}/v1/plans/{job['plan_id']}/details",
            tokens["planner"],
            details.read_bytes(),
            **{"Content-Type": "text/csv"},
        )
        if status != 200:
            typer.echo(f"dagrute demo: sending {details} failed ({status}): {stored.get('detail')}")
    lines = [
        "",
        f"dagrute demo is running on {base}",
        f"  API docs (OpenAPI):   {base}/docs",
        f"  Dispatcher page:      {base}/",
        f"  API keys, one a role: {DEMO_DIR / DEMO_KEYS_FILE} (mode 0600)",
        f"  Sample week job:      {job_url}  ({job['status']}; its time limit "
        f"is {round(job['progress']['time_limit_s'])} s)",
        f"  Monday morning:       {job_url}/days/mon/to_centre",
        f"  Week result:          {job_url}/result",
        f"  Map (GeoJSON):        {job_url}/geojson",
        f"  Driver manifest:      {job_url}/manifests/mon/{{vehicle_id}}  (?format=html to print)",
        "Try it with the dispatcher key:",
        f'  curl -H "Authorization: Bearer {dispatcher}" {job_url}/days/mon/to_centre',
        "Ctrl-C stops the service; starting it again reuses the database, the keys and the job.",
        "",
    ]
    typer.echo("\n".join(lines))
    while job["status"] not in TERMINAL_STATUSES:
        if server.should_exit:
            return
        time.sleep(DEMO_POLL_S)
        _, job = _call("GET", job_url, dispatcher)
    if job["status"] != "succeeded":
        detail = (job.get("error") or {}).get("detail", "")
        typer.echo(f"dagrute demo: job {job['id']} ended {job['status']}. {detail}".rstrip())
        return
    _, day = _call("GET", f"{job_url}/days/mon/to_centre", dispatcher)
    routes = day.get("routes", [])
    typer.echo(
        f"dagrute demo: job {job['id']} succeeded ({job['num_violations']} checker violations); "
        f"Monday morning has {len(routes)} routes."
    )
    if routes:
        manifest = f"{job_url}/manifests/mon/{routes[0]['vehicle_id']}"
        typer.echo(f"  Driver manifest:      {manifest}")
        typer.echo(f"  Printable:            {manifest}?format=html")


@app.command()
def worker() -> None:
    """Run one worker: claim queued jobs from the database and solve them."""
    from app.jobs.worker import main

    main()


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or upgrade the database's tables (Alembic migrations)."""
    from app.db.migrate import current_revision, upgrade
    from app.db.session import Database
    from app.settings import ServiceSettings

    database = Database(ServiceSettings().database_url)
    try:
        upgrade(database)
        typer.echo(f"Database at revision {current_revision(database)}.")
    finally:
        database.dispose()


@keys_app.command("create")
def keys_create(
    role: Annotated[str, typer.Option(help="planner, dispatcher, analyst or admin.")],
    name: Annotated[str, typer.Option(help="Who or what uses the key.")] = "cli",
    organisation: Annotated[
        str,
        typer.Option(
            help="The organisation (a municipality or a district) the key belongs to: it sees "
            "only that organisation's plans, jobs, results and keys.",
        ),
    ] = "default",
) -> None:
    """Create an API key and print its token (shown only this once)."""
    from app.api.keys import create_key
    from app.db.migrate import upgrade
    from app.db.session import Database
    from app.security import Role
    from app.settings import ServiceSettings

    try:
        chosen = Role(role)
    except ValueError:
        raise typer.BadParameter(
            f"Use one of {', '.join(r.value for r in Role)}.", param_hint="--role"
        ) from None
    if not ORGANISATION_PATTERN.fullmatch(organisation):
        raise typer.BadParameter(
            "Use 1-64 letters, digits, '-', '_' or '.'.", param_hint="--organisation"
        )
    database = Database(ServiceSettings().database_url)
    try:
        upgrade(database)
        created = create_key(database, name[:100] or "cli", chosen.value, organisation)
    finally:
        database.dispose()
    typer.echo(created.token)
    typer.echo(
        f"Key {created.id} ({created.role.value}, organisation {created.organisation}) "
        "created; the token above is shown only once.",
        err=True,
    )


@keys_app.command("list")
def keys_list() -> None:
    """List API keys (ids, names, roles; never secrets)."""
    from app.db.repositories import KeyRepository
    from app.db.session import Database
    from app.settings import ServiceSettings

    database = Database(ServiceSettings().database_url)
    try:
        with database.read() as session:
            for key in KeyRepository(session).list():
                state = "revoked" if key.revoked_at else "active"
                typer.echo(
                    f"{key.id}  {key.role:<10}  {state:<7}  {key.organisation:<16}  {key.name}"
                )
    finally:
        database.dispose()


@app.command("audit")
def audit_list(
    organisation: Annotated[
        str | None,
        typer.Option(
            help="Only this organisation's events; 'none' for refused keys no organisation "
            "owns (default: every organisation's)."
        ),
    ] = None,
    action: Annotated[
        str | None, typer.Option(help="Only events of this action: read, change, use, refused.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="Newest events to show.")] = 50,
) -> None:
    """The audit trail, newest first, for the operator (GET /v1/audit shows admins theirs)."""
    from sqlalchemy import select

    from app.audit import ACTIONS
    from app.db.models import AuditEvent
    from app.db.session import Database
    from app.settings import ServiceSettings

    if action is not None and action not in ACTIONS:
        raise typer.BadParameter(f"Use one of {', '.join(ACTIONS)}.", param_hint="--action")
    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
    if organisation == "none":
        query = query.where(AuditEvent.organisation.is_(None))
    elif organisation is not None:
        query = query.where(AuditEvent.organisation == organisation)
    if action is not None:
        query = query.where(AuditEvent.action == action)
    database = Database(ServiceSettings().database_url)
    try:
        with database.read() as session:
            for event in session.scalars(query):
                typer.echo(
                    f"{event.at.isoformat(timespec='seconds')}  {event.action:<8}  "
                    f"{event.status}  {event.organisation or '-':<16}  {event.key_id or '-':<16}  "
                    f"{event.role or '-':<10}  {event.method} {event.route}  "
                    f"{event.target_id or ''}".rstrip()
                )
    finally:
        database.dispose()


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[str, typer.Argument(help="The key's id.")]) -> None:
    """Revoke an API key."""
    from app.db.repositories import KeyRepository
    from app.db.session import Database
    from app.settings import ServiceSettings

    database = Database(ServiceSettings().database_url)
    try:
        with database.write() as session:
            revoked = KeyRepository(session).revoke(key_id)
    finally:
        database.dispose()
    if not revoked:
        typer.echo(f"No active key {key_id}.", err=True)
        raise typer.Exit(1)
    typer.echo(f"Key {key_id} revoked.")


if __name__ == "__main__":
    app()
