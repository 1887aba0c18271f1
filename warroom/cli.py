"""The `warroom` command line."""

from __future__ import annotations

import argparse
import asyncio
import shutil
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path

from engine.chaos.scenarios import SCENARIOS
from engine.config import ConfigError
from engine.governance.export import (
    EXPORT_FORMATS,
    patients_masker,
    resolve_export_path,
)
from engine.paths import data_home
from warroom.api.app import check_bind
from warroom.attach.command import AttachError, open_remote
from warroom.datadir import DataDirBusy, DataDirLock
from warroom.drill_command import print_error, run_drills
from warroom.governance_command import default_export_path, run_export
from warroom.runtime import (
    StartupError,
    configure_logging,
    open_runtime,
    read_config,
)
from warroom.sidecar import start_in_background
from warroom.sidecar import stop as stop_sidecar


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="warroom", description="On-call war room for SQL Server and PostgreSQL."
    )
    parser.add_argument(
        "--config",
        type=Path,
        default=None,
        help="folder with warroom.yaml and the other config files "
        "(default: the project's config/)",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser(
        "demo", help="start the embedded database, load demo data, open the TUI"
    )
    _target_options(demo)
    demo.add_argument(
        "--scale",
        type=_positive_int,
        default=1,
        help="multiply the demo row counts by N on first load (default 1)",
    )

    _port_option(demo)

    tui = commands.add_parser("tui", help="open the TUI on a target")
    _target_options(tui)
    tui.add_argument(
        "--attach",
        metavar="URL",
        default=None,
        help="open the TUI on the engine of a running sidecar (warroom serve or "
        "warroom demo), such as http://127.0.0.1:8000, instead of starting one",
    )
    tui.add_argument(
        "--token",
        default=None,
        help="the sidecar's API token, needed to change anything when it has one "
        "(default: WARROOM_API_TOKEN)",
    )

    serve = commands.add_parser(
        "serve", help="run the engine and the REST API without a terminal"
    )
    _target_options(serve)
    serve.add_argument(
        "--host",
        default=None,
        help="address to listen on (default: sidecar.host, 127.0.0.1); any "
        "other than loopback needs a token",
    )
    _port_option(serve)

    drill = commands.add_parser(
        "drill", help="run chaos drills without the TUI and report the figures"
    )
    choice = drill.add_mutually_exclusive_group(required=True)
    choice.add_argument("scenario", nargs="?", choices=sorted(SCENARIOS))
    choice.add_argument("--all", action="store_true", help="run every scenario")
    drill.add_argument("--json", action="store_true", help="print JSON results")
    _target_options(drill)

    _governance_parser(commands)

    reset = commands.add_parser("reset", help="delete the embedded database and state")
    reset.add_argument("--yes", action="store_true", help="do not ask to confirm")
    return parser


def _governance_parser(commands) -> None:
    governance = commands.add_parser("governance", help="PHI governance")
    actions = governance.add_subparsers(dest="governance_command", required=True)
    export = actions.add_parser(
        "export",
        help="write healthcare.patients, masked by governance.masking, as CSV or JSON",
    )
    export.add_argument(
        "--format",
        choices=EXPORT_FORMATS,
        required=True,
        help="format of the export file",
    )
    export.add_argument(
        "--out",
        metavar="PATH",
        default=None,
        help="a new .csv or .json file, matching --format, in the exports folder "
        "of the data directory (WARROOM_HOME/exports); a relative PATH is taken "
        "from that folder (default: patients-masked-<UTC time>.<format>)",
    )
    _target_options(
        export,
        "PostgreSQL URL of the database to export from (default: the embedded "
        "demo database)",
    )


def _target_options(
    parser: argparse.ArgumentParser,
    help_text: str = "PostgreSQL URL to watch instead of the embedded demo database",
) -> None:
    parser.add_argument("--target", metavar="URL", default=None, help=help_text)


def _port_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--port",
        type=int,
        default=None,
        help="TCP port of the REST API (default: sidecar.port, 8000)",
    )


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is below 1")
    return value


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "reset":
            return reset(args.yes)
        config = read_config(args.config)
        if args.command == "tui" and args.attach:
            if args.target:
                print_error(
                    "--attach and --target exclude each other: the "
                    "sidecar's engine already watches its target"
                )
                return 2
            return asyncio.run(run_attached(config, args))
        if args.command in ("demo", "tui"):
            return asyncio.run(run_tui(config, args))
        if args.command == "drill":
            return asyncio.run(run_drill_command(config, args))
        if args.command == "serve":
            return asyncio.run(run_serve(config, args))
        if args.command == "governance":
            return asyncio.run(run_governance_export(config, args))
    except ConfigError as error:
        print_error(str(error))
        return 2
    except (AttachError, DataDirBusy, StartupError, OSError, ValueError) as error:
        print_error(str(error))
        return 2
    except KeyboardInterrupt:
        return 130
    return 2


async def run_tui(config, args) -> int:
    from warroom.tui.app import WarRoomApp

    log_path = configure_logging(to_file=True)
    runtime = await open_runtime(
        config,
        target_url=args.target,
        scale=getattr(args, "scale", 1),
        progress=lambda message: print(message, flush=True),
    )
    sidecar = None
    try:
        await runtime.engine.start()
        _print_recovery(runtime, sys.stdout)
        if runtime.embedded is not None:
            runtime.start_traffic()
            await runtime.compute_demo_adherence()
        if args.command == "demo":
            _apply_sidecar_options(config, args)
            sidecar = await start_in_background(runtime.engine, config.warroom.sidecar)
            print(f"REST API on {_sidecar_url(config)}", flush=True)
        print(f"war room up; logs in {log_path}", flush=True)
        app = WarRoomApp(runtime.engine)
        # A dropped SSH connection sends SIGHUP: quit the way q does, so a
        # running drill rolls back and the embedded server stops.
        _on_termination(app.exit)
        await app.run_async()
    finally:
        if sidecar is not None:
            await stop_sidecar(*sidecar)
        await runtime.close()
    return app.return_code or _stop_status(runtime)


async def run_attached(config, args) -> int:
    from warroom.tui.app import WarRoomApp

    log_path = configure_logging(to_file=True)
    source = await open_remote(args.attach, args.token, config)
    try:
        print(f"attached to {source.client.url}; logs in {log_path}", flush=True)
        app = WarRoomApp(source)
        _on_termination(app.exit)
        await app.run_async()
    finally:
        await source.close()
    return app.return_code or 0


async def run_serve(config, args) -> int:
    configure_logging(to_file=True)
    _apply_sidecar_options(config, args)
    check_bind(config.warroom.sidecar)
    # Handlers go in first, so a signal during startup still ends in a clean
    # shutdown instead of killing the process.
    stop_requested = asyncio.Event()
    _on_termination(stop_requested.set, signal.SIGINT)
    runtime = await open_runtime(
        config,
        target_url=args.target,
        progress=lambda message: print(message, file=sys.stderr, flush=True),
    )
    try:
        await runtime.engine.start()
        _print_recovery(runtime, sys.stderr)
        if runtime.embedded is not None:
            runtime.start_traffic()
            await runtime.compute_demo_adherence()
        server, task = await start_in_background(runtime.engine, config.warroom.sidecar)
        print(f"REST API on {_sidecar_url(config)}", file=sys.stderr, flush=True)
        waiter = asyncio.create_task(stop_requested.wait())
        await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        await stop_sidecar(server, task)
    finally:
        await runtime.close()
    return _stop_status(runtime)


def _print_recovery(runtime, stream) -> None:
    """Print what the engine's start did about drills a stop interrupted."""
    for note in runtime.engine.drills.recovery_notes:
        print(f"recovered: {note}", file=stream, flush=True)


def _stop_status(runtime) -> int:
    """Return 1 when the engine stopped with a drill's rows still out."""
    return 1 if runtime.engine.unrestored_at_stop is not None else 0


async def run_governance_export(config, args) -> int:
    configure_logging(to_file=True)
    # The path and then the mask rules are checked first, so a bad --out or
    # a missing secret is reported before the embedded database starts.
    path = args.out or default_export_path(args.format, datetime.now(UTC))
    resolve_export_path(data_home(), path, args.format)
    patients_masker(config.warroom.governance)
    runtime = await open_runtime(
        config,
        target_url=args.target,
        progress=lambda message: print(message, file=sys.stderr, flush=True),
    )
    try:
        await runtime.engine.start(poll=False)
        return await run_export(runtime.engine, args.format, path)
    finally:
        await runtime.close()


def _apply_sidecar_options(config, args) -> None:
    sidecar = config.warroom.sidecar
    if getattr(args, "host", None):
        sidecar.host = args.host
    if getattr(args, "port", None) is not None:
        sidecar.port = args.port


def _sidecar_url(config) -> str:
    sidecar = config.warroom.sidecar
    return f"http://{sidecar.host}:{sidecar.port}/"


async def run_drill_command(config, args) -> int:
    configure_logging(to_file=True)
    quiet = args.json
    runtime = await open_runtime(
        config,
        target_url=args.target,
        progress=(lambda message: None)
        if quiet
        else (lambda message: print(message, file=sys.stderr, flush=True)),
    )
    try:
        await runtime.engine.start()
        if not quiet:
            _print_recovery(runtime, sys.stderr)
        # One data check cycle first, so a data drill whose check cannot run
        # is rejected with the reason instead of timing out undetected.
        await runtime.engine.run_checks()
        scenarios = sorted(SCENARIOS) if args.all else [args.scenario]
        task = asyncio.current_task()
        assert task is not None
        _on_termination(task.cancel)
        try:
            return await run_drills(runtime.engine, scenarios, args.json)
        except asyncio.CancelledError:
            reason = runtime.engine.drills.unrestored()
            if reason is None:
                print_error("drill interrupted by a signal; rolled back")
            else:
                print_error(f"drill interrupted by a signal; NOT rolled back: {reason}")
            return 130
    finally:
        await runtime.close()


def _on_termination(callback, *extra: signal.Signals) -> None:
    loop = asyncio.get_running_loop()
    for number in (signal.SIGHUP, signal.SIGTERM, *extra):
        loop.add_signal_handler(number, callback)


def reset(assume_yes: bool) -> int:
    home = data_home()
    if not home.exists():
        print(f"nothing to reset: {home} does not exist")
        return 0
    lock = DataDirLock(home).acquire()
    try:
        if not assume_yes:
            if not sys.stdin.isatty():
                print_error(
                    "reset needs confirmation: run it in a terminal or pass --yes"
                )
                return 2
            answer = input(
                f"Delete the embedded database, incidents and drills in {home}? "
                "Type 'yes' to confirm: "
            )
            if answer.strip().lower() != "yes":
                print("reset cancelled; nothing was deleted")
                return 1
        _remove(home)
    finally:
        lock.release()
    print(f"removed {home}")
    return 0


def _remove(home: Path) -> None:
    # Stop a server left running by a crashed demo before deleting its files.
    pgdata = home / "pgdata"
    if (pgdata / "postmaster.pid").exists():
        from engine.targets.embedded import EmbeddedServer

        server = EmbeddedServer(pgdata)
        server.start()
        server.stop()
    shutil.rmtree(home)


if __name__ == "__main__":
    sys.exit(main())
