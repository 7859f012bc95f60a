"""The ``hub`` command: open the kiosk, list plugins, check a site file, and plugins' own subcommands.

Every failure a user can cause (a bad site file, a broken database, bad input to a
plugin command) ends in a clear message and an exit code from hub/exitcodes.py (0 ok,
1 failure, 2 usage, 3 not allowed), never a traceback; docs/cli.md lists them.
"""

from __future__ import annotations

import argparse
import gc
import logging
import sys
from typing import Sequence

from hub import exitcodes
from hub.config import ConfigError, ConfigIssue, SiteConfig, load_site_config, resolve_site_path
from hub.plugins import PluginHost, installed_entry_points, is_builtin, plugins_to_load
from hub.cliauth import NOT_ALLOWED, refusal_message
from hub.staff import AuthError, PermissionDenied
from hub.storage import StorageError

CORE_COMMANDS = ("run", "plugins", "check-config", "audit", "backup", "restore", "resident", "retention", "staff", "jobs", "serve")
USAGE_ERROR = exitcodes.USAGE


def refusal_code(exc: BaseException) -> int:
    """3 when the signed-in role may not do it (or nobody signed in), else 2 (how it was asked)."""
    return exitcodes.NOT_ALLOWED if isinstance(exc, (PermissionDenied, AuthError)) else USAGE_ERROR


def _print_json(data) -> None:
    import json

    print(json.dumps(data, indent=2, default=str))


def build_hub(config: SiteConfig, extra_plugins: Sequence[object] = ()):
    """Load the site's plugins and make the ``hub`` object (no database opened yet)."""
    from hub.context import Hub

    host = PluginHost.load(plugins_to_load(config.hub.plugins), extra=extra_plugins)
    return Hub(config, host)


def _base_parser(add_help: bool = True) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hub",
        add_help=add_help,
        description="Drop-in Hub: the kiosk app for community drop-in hubs. With no command, opens the hub.",
    )
    parser.add_argument("--site", metavar="FILE", help="the site file (default: $HUB_SITE, else the installed demo site)")
    parser.add_argument("--version", action="version", version=f"hub (Drop-in Hub) {_version()}")
    return parser


def _version() -> str:
    from hub import __version__

    return __version__


def main(argv: Sequence[str] | None = None) -> int:
    # Starting the kiosk makes ~100k objects that live as long as it does; the cyclic garbage
    # collector would walk them all several times before the first frame (~30 ms on a 2-core
    # kiosk). It stays off until the kiosk's database is open (HubApp.open_storage) or until a
    # command starts.
    collecting = gc.isenabled()
    gc.disable()
    try:
        code = _main(argv, resume_gc=collecting)
        sys.stdout.flush()  # a closed pipe shows here, not as a traceback at exit
        return code
    except BrokenPipeError:  # piped into `head` and closed early: not an error worth a message
        _silence_stdout()
        return exitcodes.CLOSED_PIPE
    except KeyboardInterrupt:
        return exitcodes.INTERRUPTED
    finally:
        if collecting:
            gc.enable()


def _silence_stdout() -> None:
    """After a closed pipe, send what is left to /dev/null so Python's exit flush stays quiet."""
    import os

    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _main(argv: Sequence[str] | None, *, resume_gc: bool) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    from hub.logfile import configure_logging

    configure_logging()
    pre = _base_parser(add_help=False)  # only finds --site; the full parser below does --help
    pre.add_argument("rest", nargs=argparse.REMAINDER)
    known, unknown = pre.parse_known_args(argv)
    command = next((arg for arg in known.rest if not arg.startswith("-")), None)

    if command == "check-config":
        parser = _base_parser()
        sub = parser.add_subparsers(dest="command")
        check = sub.add_parser("check-config", help="check a site file and print every problem")
        check.add_argument("file", help="the site file to check")
        check.add_argument("--json", action="store_true", help="print the problems as JSON")
        args = parser.parse_args(argv)
        return check_config(args.file, as_json=args.json)

    site_path = resolve_site_path(known.site)
    try:
        config = load_site_config(site_path)
    except ConfigError as exc:
        _print_config_problems(exc.issues)
        return USAGE_ERROR

    hub = build_hub(config)
    if known.rest in ([], ["run"]) and not unknown:  # the kiosk itself: no need to build every command's parser
        return run_app(hub, resume_gc=resume_gc)
    if resume_gc:
        gc.enable()
    parser = _base_parser()
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("run", help="open the hub (the default)")
    plugins_cmd = sub.add_parser("plugins", help="list every plugin: version, enabled, hooks, errors")
    plugins_cmd.add_argument("--json", action="store_true", help="print JSON")
    check_cmd = sub.add_parser("check-config", help="check a site file and print every problem (hub check-config FILE)")
    check_cmd.add_argument("file", help="the site file to check")
    check_cmd.add_argument("--json", action="store_true", help="print the problems as JSON")
    serve_cmd = sub.add_parser("serve", help="offer the kiosk to web browsers (behind a TLS reverse proxy: docs/serve.md)")
    serve_cmd.add_argument("--host", help="address to listen on (default: [serve] host, else 127.0.0.1)")
    serve_cmd.add_argument("--port", type=int, help="port to listen on (default: [serve] port, else 8000; 0: any free one)")
    audit_cmd = sub.add_parser("audit", help="check the access log's hash chain for edits or deletions")
    audit_cmd.add_argument("action", choices=["verify"], help="verify: walk the chain and report any break")
    audit_cmd.add_argument("--json", action="store_true", help="print the result as JSON")
    backup_cmd = sub.add_parser("backup", help="copy the site database safely, even while kiosks use it")
    backup_cmd.add_argument("--out", metavar="FILE", help="where to write it (default: <data_dir>/backups/hub-<time>.db)")
    restore_cmd = sub.add_parser("restore", help="replace the site database with a backup (a safety copy is kept)")
    restore_cmd.add_argument("file", metavar="FILE", help="the backup to restore")
    restore_cmd.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    for needs_sign_in in (backup_cmd, restore_cmd, audit_cmd):
        needs_sign_in.epilog = "Sign in with HUB_STAFF and HUB_PASSWORD (or at the prompt): backup needs a site lead, restore an admin."
    resident_cmd = sub.add_parser("resident", help="a resident's data rights: export everything held, or erase")
    resident_sub = resident_cmd.add_subparsers(dest="resident_action", required=True)
    export_cmd = resident_sub.add_parser("export", help="subject access: everything held about a resident, from every plugin")
    export_cmd.add_argument("resident_id", type=int)
    export_cmd.add_argument("--format", choices=["json", "pdf"], default="json")
    export_cmd.add_argument("--out", metavar="FOLDER", help="where to write it (default: <data_dir>/exports)")
    erase_cmd = resident_sub.add_parser("erase", help="erase a resident from the core and every plugin")
    erase_cmd.add_argument("resident_id", type=int)
    erase_cmd.add_argument("--yes", action="store_true", help="confirm: this cannot be undone")
    staff_cmd = sub.add_parser("staff", help="staff accounts: list, add, disable, enable, reset a password (site leads)")
    staff_sub = staff_cmd.add_subparsers(dest="staff_action", required=True)
    staff_list = staff_sub.add_parser("list", help="every account with its role and whether it is active")
    staff_list.add_argument("--json", action="store_true", help="print JSON")
    add_cmd = staff_sub.add_parser("add", help="add an account (asks for the password, or reads it from standard input)")
    add_cmd.add_argument("username")
    add_cmd.add_argument("--name", required=True, help="their name as colleagues know it")
    add_cmd.add_argument("--role", choices=["staff", "site_lead", "admin"], default="staff")
    add_cmd.add_argument("--password-stdin", action="store_true", help="read the password then the PIN, one a line, from standard input")
    for action in ("disable", "enable"):
        toggle = staff_sub.add_parser(action, help=f"{action} an account ({'ends its sessions' if action == 'disable' else 'lets it sign in again'})")
        toggle.add_argument("username")
    reset_cmd = staff_sub.add_parser("reset-password", help="set a new password and PIN for an account")
    reset_cmd.add_argument("username")
    reset_cmd.add_argument("--password-stdin", action="store_true", help="read the password then the PIN from standard input")
    retention_cmd = sub.add_parser("retention", help="list residents past the site's retention period (--apply erases them)")
    retention_cmd.add_argument("--apply", action="store_true", help="erase those listed (after a dry run)")
    retention_cmd.add_argument("--yes", action="store_true", help="confirm --apply")
    retention_cmd.add_argument("--json", action="store_true", help="print JSON")
    jobs_cmd = sub.add_parser("jobs", help="plugins' background jobs (e.g. directory sync): when each last ran; run them")
    jobs_cmd.add_argument("action", nargs="?", choices=["list", "run"], default="list",
                          help="list (the default) or run: every job now, or only the due ones with --due")
    jobs_cmd.add_argument("names", nargs="*", metavar="NAME", help="run only these jobs")
    jobs_cmd.add_argument("--due", action="store_true", help="run only jobs that are due (for cron or a systemd timer)")
    jobs_cmd.add_argument("--json", action="store_true", help="list as JSON")
    plugin_commands = {}
    for result in hub.plugins.call_flat("register_cli_commands", hub=hub):
        spec = result.value
        if spec.name in CORE_COMMANDS or spec.name in plugin_commands:
            hub.plugins.disable(result.plugin, f"CLI command {spec.name!r} is already taken")
            continue
        command_parser = sub.add_parser(spec.name, help=spec.help, description=spec.help)
        try:
            spec.configure(command_parser)
        except Exception as exc:
            hub.plugins.disable(result.plugin, f"configuring CLI command {spec.name!r} raised {exc!r}")
            continue
        plugin_commands[spec.name] = (result.plugin, spec)

    _add_completion(parser)
    args = parser.parse_args(argv)
    if args.command == "serve":
        from hub.serve import serve

        return serve(config, host=args.host, port=args.port)
    if args.command == "plugins":
        return list_plugins(hub, as_json=args.json)
    if args.command in ("audit", "backup", "restore"):
        return run_core_database_command(hub, args)
    if args.command in ("resident", "retention"):
        return run_rights_command(hub, args)
    if args.command == "staff":
        return run_staff_command(hub, args)
    if args.command == "jobs":
        return run_jobs_command(hub, args)
    if args.command in plugin_commands:
        plugin, spec = plugin_commands[args.command]
        return run_plugin_command(hub, plugin, spec, args)
    return run_app(hub, resume_gc=resume_gc)


def _add_completion(parser: argparse.ArgumentParser) -> None:
    """``hub --print-completion bash|zsh|tcsh``: a shell completion script (docs/cli.md), from shtab."""
    try:
        import shtab
    except ImportError:  # completion is a convenience: the hub works without it
        return
    shtab.add_argument_to(parser, "--print-completion", help="print a shell completion script (bash, zsh or tcsh) and exit")


def run_jobs_command(hub, args: argparse.Namespace) -> int:
    """List the plugins' background jobs with their last runs, or run them (all, named, or the due ones)."""
    from hub import jobs

    try:
        hub.open_storage()
        registered = jobs.registered_jobs(hub)
        if args.action == "list":
            rows = jobs.job_rows(hub, registered)
            if args.json:
                import json

                print(json.dumps(rows, indent=2))
            elif not rows:
                print("No background jobs: no enabled plugin asks for one (see docs/site-config.md).")
            for row in rows if not args.json else []:
                last = row["last_finished"] or row["last_started"] or "never"
                state = "ok" if row["last_ok"] else ("failed" if row["last_ok"] is False else "-")
                print(f"{row['name']:<20} {row['plugin']:<14} every {row['every_minutes']} min  last {last}  {state}"
                      f"{'  (due)' if row['due'] else ''}\n    {row['last_summary'] or ''}")
            return 0
        unknown = sorted(set(args.names) - {r.job.name for r in registered})
        if unknown:
            print(f"hub jobs: no background job called {', '.join(unknown)}", file=sys.stderr)
            return USAGE_ERROR
        chosen = [r for r in registered if not args.names or r.job.name in args.names]
        done = jobs.run_due(hub, chosen, force=not args.due)
    except StorageError as exc:
        print(f"hub: {exc}", file=sys.stderr)
        return USAGE_ERROR
    for name, ok, summary in done:
        print(f"{name}: {'done' if ok else 'FAILED'}: {summary}")
    if not done:
        print("Nothing was due." if args.due else "Nothing to run (or another kiosk is running it now).")
    return 0 if all(ok for _, ok, _ in done) else 1


def run_plugin_command(hub, plugin: str, spec, args: argparse.Namespace) -> int:
    try:
        if spec.needs_database:
            hub.open_storage()
        code = spec.run(hub, args)  # commands that touch residents' data sign in with hub.authenticate(...)
    except StorageError as exc:
        print(f"hub: {exc}", file=sys.stderr)
        return USAGE_ERROR
    except (PermissionDenied, AuthError) as exc:
        print(refusal_message(spec.name, exc), file=sys.stderr)
        return NOT_ALLOWED
    except KeyboardInterrupt:
        return exitcodes.INTERRUPTED
    except BrokenPipeError:  # output piped into `head` and closed early: not an error worth a message
        _silence_stdout()
        return exitcodes.CLOSED_PIPE
    except Exception as exc:  # a plugin bug: name it, never show a resident's data in a traceback
        from hub.plugins import describe_error

        print(f"hub: the {plugin} plugin failed running '{spec.name}': {describe_error(exc)}", file=sys.stderr)
        return 1
    finally:
        hub.close()
    return int(code or 0)


def run_core_database_command(hub, args: argparse.Namespace) -> int:
    """audit verify, backup and restore: the core's own commands that need the database.

    Each signs in first: checking the log needs a site lead, a backup a site lead, a restore an
    admin (checked against the live database's accounts, never the backup's). All are logged."""
    from pathlib import Path

    from hub import audit, backup

    try:
        hub.open_storage()
        if args.command == "restore":
            hub.authenticate("data.restore")
            return restore(hub, Path(args.file), confirmed=args.yes)
        if args.command == "audit":
            hub.authenticate("audit.verify")
            notes: list[str] = []
            try:
                count, problems = audit.verify(hub.db, notes=notes)
            except audit.AuditKeyError as exc:
                print(f"hub audit: {exc}", file=sys.stderr)
                return 1
            hub.log_event(None, "audit:verify:" + ("ok" if not problems else "problems"))
            if args.json:
                _print_json({"rows": count, "intact": not problems, "notes": notes,
                             "problems": [{"kind": problem.kind, "detail": str(problem)} for problem in problems]})
                return exitcodes.FAILURE if problems else exitcodes.OK
            for note in notes:
                print(f"hub audit: note: {note}")
            if problems:
                kinds = sorted({problem.kind for problem in problems})
                print(f"hub audit: the access log has been tampered with ({', '.join(kinds)}; "
                      f"{len(problems)} problem(s) in {count} rows):", file=sys.stderr)
                for problem in problems:
                    print(f"  [{problem.kind}] {problem}", file=sys.stderr)
                return 1
            print(f"hub audit: OK: {count} rows, chain intact (keyed), newest row matches the record kept outside the database.")
            return 0
        hub.authenticate("data.backup")
        target = Path(args.out) if args.out else backup.default_backup_path(hub.config.data_dir)
        hub.log_event(None, f"backup:{target.name}")  # before the copy, so the backup holds its own record
        written = backup.backup_database(hub.db.conn, target, hub.database_key())
        print(f"hub backup: wrote {written} (checked; readable only by you). Keep it somewhere safe: it holds personal data.")
        return 0
    except (PermissionDenied, AuthError) as exc:
        print(refusal_message(args.command, exc), file=sys.stderr)
        return NOT_ALLOWED
    except StorageError as exc:
        print(f"hub {args.command}: {exc}", file=sys.stderr)
        return USAGE_ERROR
    finally:
        hub.close()


def _read_secrets(from_stdin: bool) -> tuple[str, str]:
    """A new password and PIN: typed twice at a terminal, or two lines on standard input."""
    if from_stdin:
        lines = sys.stdin.read().splitlines()
        return (lines[0] if lines else ""), (lines[1] if len(lines) > 1 else "")
    import getpass

    if not sys.stdin.isatty():
        raise accounts_error("password", "give it on standard input with --password-stdin")
    password = getpass.getpass("New password (12 or more characters): ")
    if getpass.getpass("Again: ") != password:
        raise accounts_error("password", "the two passwords differ")
    pin = getpass.getpass("Quick-unlock PIN (4 to 8 digits, or empty): ")
    return password, pin


def accounts_error(field: str, message: str):
    from hub.staff import AccountError

    return AccountError({field: message})


def run_staff_command(hub, args: argparse.Namespace) -> int:
    """Staff accounts from the command line: site leads only (HUB_STAFF/HUB_PASSWORD)."""
    from hub import staff as accounts
    from hub.storage import write_transaction

    try:
        hub.open_storage()
        hub.authenticate("staff.manage")
        if args.staff_action == "list":
            if args.json:
                _print_json([{"username": row["username"], "display_name": row["display_name"], "role": row["role"],
                              "active": bool(row["active"])}
                             for row in hub.db.query("SELECT username, display_name, role, active FROM staff ORDER BY username")])
                return 0
            for row in hub.db.query("SELECT username, display_name, role, active FROM staff ORDER BY username"):
                print(f"{row['username']:<20} {row['role']:<10} {'active' if row['active'] else 'disabled':<9} {row['display_name']}")
            return 0
        if args.staff_action == "add":
            password, pin = _read_secrets(args.password_stdin)
            accounts.create_account(hub.db, username=args.username, display_name=args.name, role=args.role,
                                    password=password, pin=pin, created_by=hub.staff)
            hub.log_event(None, f"staff:add:{args.username.lower()}")
            print(f"hub staff: added {args.username.lower()} ({args.role}).")
            return 0
        rows = list(hub.db.query("SELECT id FROM staff WHERE username = ?", [args.username.strip().lower()]))
        if not rows:
            print(f"hub staff: no account called {args.username!r}.", file=sys.stderr)
            return USAGE_ERROR
        staff_id = rows[0]["id"]
        if args.staff_action in ("disable", "enable"):
            accounts.set_active(hub.db, hub.session, staff_id, args.staff_action == "enable")
            hub.log_event(None, f"staff:{args.staff_action}:{args.username.lower()}")
            print(f"hub staff: {args.username.lower()} {args.staff_action}d.")
            return 0
        password, pin = _read_secrets(args.password_stdin)
        problem = accounts.check_password(password, args.username) or (accounts.check_pin(pin) if pin else None)
        if problem:
            raise accounts_error("password" if accounts.check_password(password, args.username) else "pin", problem)
        hasher = accounts._hasher()
        with write_transaction(hub.db):
            hub.db.execute(
                "UPDATE staff SET password_hash = ?, pin_hash = ?, failed_attempts = 0, locked_until = NULL WHERE id = ?",
                [hasher.hash(password), hasher.hash(pin) if pin else None, staff_id],
            )
        hub.log_event(None, f"staff:reset-password:{args.username.lower()}")
        print(f"hub staff: new password set for {args.username.lower()}; tell them in person.")
        return 0
    except accounts.AccountError as exc:
        for field, message in exc.errors.items():
            print(f"hub staff: {field}: {message}", file=sys.stderr)
        return USAGE_ERROR
    except (PermissionDenied, AuthError) as exc:
        print(refusal_message("staff", exc), file=sys.stderr)
        return NOT_ALLOWED
    except StorageError as exc:
        print(f"hub staff: {exc}", file=sys.stderr)
        return USAGE_ERROR
    finally:
        hub.close()


def run_rights_command(hub, args: argparse.Namespace) -> int:
    """Subject access, erasure and retention: site leads only (sign in with HUB_STAFF/HUB_PASSWORD)."""
    from pathlib import Path

    from hub import rights

    try:
        hub.open_storage()
        if args.command == "retention":
            hub.authenticate("residents.erase")
            years = hub.config.hub.retention_years
            if not years:
                print("hub retention: this site has no retention rule (set [hub] retention_years).", file=sys.stderr)
                return USAGE_ERROR
            hub.require("residents.erase")
            candidates = rights.retention_candidates(hub, years)
            if args.json and not args.apply:
                _print_json({"retention_years": years, "applied": False,
                             "candidates": [{"resident_id": c.resident_id, "last_contact": c.last_contact} for c in candidates]})
                return 0
            if not args.json:
                print(f"{len(candidates)} resident(s) with no contact for {years} years or more (ids only):")
                for candidate in candidates:
                    print(f"  resident {candidate.resident_id}: last contact {candidate.last_contact}")
            if not args.apply:
                print("Dry run: nothing erased. Run again with --apply --yes to erase them.")
                return 0
            if not args.yes:
                print("hub retention: add --yes to confirm erasing them.", file=sys.stderr)
                return USAGE_ERROR
            for candidate in candidates:
                rights.erase(hub, candidate.resident_id)
            if args.json:
                _print_json({"retention_years": years, "applied": True,
                             "erased": [c.resident_id for c in candidates]})
                return 0
            print(f"Erased {len(candidates)} resident(s).")
            return 0
        if args.resident_action == "export":
            hub.authenticate("data.export")
            export = rights.subject_access(hub, args.resident_id)
            folder = Path(args.out) if args.out else hub.config.data_dir / "exports"
            path = rights.write_export(export, folder, fmt=args.format)
            hub.record_export(args.resident_id, path)
            print(f"hub resident export: wrote {path} (readable only by you; it holds personal data).")
            if export["incomplete"]:
                print("hub resident export: INCOMPLETE, some plugins failed: " + "; ".join(export["incomplete"]), file=sys.stderr)
                return 1
            return 0
        hub.authenticate("residents.erase")
        if not args.yes:
            print("hub resident erase: this cannot be undone; add --yes to confirm.", file=sys.stderr)
            return USAGE_ERROR
        report = rights.erase(hub, args.resident_id)
        print(f"hub resident erase: resident {args.resident_id} erased. Kept, de-identified:")
        for item in report.kept:
            print(f"  {item}")
        for item in getattr(report, "bytes_notes", []):
            print(f"hub resident erase: {item}")
        return 0
    except (PermissionDenied, AuthError) as exc:
        print(refusal_message(args.command, exc), file=sys.stderr)
        return NOT_ALLOWED
    except (rights.RightsError, StorageError) as exc:
        print(f"hub {args.command}: {exc}", file=sys.stderr)
        return refusal_code(exc)
    finally:
        hub.close()


def restore(hub, backup_file, *, confirmed: bool) -> int:
    """Replace the live database with a checked backup (an admin, already signed in against the live one).

    Staff accounts stay as they are now (a backup cannot bring back an old password or add an
    account); erasures recorded since the backup are applied again; the access log's heads
    before and after are compared and reported; the restore is logged."""
    from hub import restore as restoring

    outcome = restoring.prepare(hub, backup_file)
    if not confirmed:
        if not sys.stdin.isatty():
            print("hub restore: this replaces the site database; add --yes to confirm.", file=sys.stderr)
            return USAGE_ERROR
        answer = input(f"Replace {hub.database_path} with {backup_file}? Close every kiosk first. Type RESTORE to go on: ")
        if answer.strip() != "RESTORE":
            print("hub restore: nothing changed.")
            return 1
    result = restoring.run(hub, outcome)
    print(f"hub restore: restored {backup_file}. What was there before is kept in {result.safety}.")
    for line in result.lines():
        print(f"hub restore: {line}")
    if result.failed_erasures:
        print("hub restore: some erasures could not be applied again: " + "; ".join(result.failed_erasures)
              + ". Run `hub resident erase ID --yes` for each once the problem is fixed.", file=sys.stderr)
        return 1
    return 0


def run_app(hub, *, resume_gc: bool = False) -> int:
    """Open the kiosk; ``resume_gc`` turns the garbage collector back on once the database is open."""
    from hub.app import HubApp

    problem = hub.theme_issue()
    if problem:
        print(f"hub: warning: {problem}; using the default theme", file=sys.stderr)
    app = HubApp(hub, resume_gc=resume_gc)
    app.run()
    if app.fatal_message:
        print(app.fatal_message, file=sys.stderr)
        return USAGE_ERROR
    return int(app.return_code or 0)


def list_plugins(hub, *, as_json: bool) -> int:
    """Every installed plugin, loaded or not, with its health."""
    statuses = hub.plugins.statuses()
    known = {status.name for status in statuses}
    rows = [status.as_dict() for status in statuses]
    for name, entry_point in sorted(installed_entry_points().items()):
        if name in known:
            continue
        dist = getattr(entry_point, "dist", None)
        rows.append(
            {
                "name": name,
                "version": getattr(dist, "version", None),
                "enabled": False,
                "builtin": is_builtin(entry_point),
                "hooks": [],
                "error": None,
                "note": "installed but not enabled in the site config (or HUB_LOAD_PLUGINS)",
            }
        )
    failed = exitcodes.FAILURE if any(row["error"] for row in rows) else exitcodes.OK  # scripts see a broken plugin
    if as_json:
        import json

        print(json.dumps(rows, indent=2))
        return failed
    for row in rows:
        state = "enabled" if row["enabled"] else ("FAILED" if row["error"] else "off")
        print(f"{row['name']:<16} {row['version'] or '-':<10} {state:<8} {', '.join(row['hooks'])}")
        if row["error"]:
            print(f"{'':<16} error: {row['error']}")
        elif row["note"]:
            print(f"{'':<16} {row['note']}")
    return failed


def check_config(path: str, *, as_json: bool = False) -> int:
    """Print every problem in a site file (core and plugin settings, plugins, theme); exit 2 if any."""
    from pathlib import Path

    def report(issues: list[ConfigIssue]) -> int:
        if as_json:
            _print_json({"file": path, "ok": False, "problems": [
                {"file": i.file, "key": i.key, "message": i.message} for i in issues]})
        else:
            _print_config_problems(issues)
        return USAGE_ERROR

    try:
        config = load_site_config(Path(path))
    except ConfigError as exc:
        return report(exc.issues)
    hub = build_hub(config)
    issues: list[ConfigIssue] = list(hub.config_issues)
    for index, name in enumerate(config.hub.plugins):
        status = hub.plugins.status.get(name)
        if status and status.error and not status.error.startswith("invalid config"):
            issues.append(ConfigIssue(path, f"hub.plugins[{index}]", f"plugin {name!r}: {status.error}"))
    theme_problem = hub.theme_issue()
    if theme_problem:
        issues.append(theme_problem)
    if issues:
        return report(issues)
    enabled = ", ".join(hub.plugins.plugin_names()) or "none"
    if as_json:
        _print_json({"file": path, "ok": True, "site_name": config.hub.site_name, "plugins": hub.plugins.plugin_names(),
                     "problems": []})
        return 0
    print(f"{path}: OK: site {config.hub.site_name!r}; plugins: {enabled}")
    return 0


def _print_config_problems(issues: list[ConfigIssue]) -> None:
    print(f"hub: the site file has {len(issues)} problem{'s' if len(issues) != 1 else ''}:", file=sys.stderr)
    for issue in issues:
        print(f"  {issue}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
