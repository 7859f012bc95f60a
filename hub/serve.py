"""``hub serve``: the kiosk in a web browser, through textual-serve (docs/serve.md).

Every browser tab that opens the page gets its own ``hub`` process, which signs in as at a
kiosk and shares the site database with every other kiosk, as terminals do. textual-serve
has no authentication and no TLS: it listens on 127.0.0.1 by default, for a TLS reverse
proxy in front (docs/serve.md has nginx and Caddy examples).
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import os
import shlex
import signal
import sys
from pathlib import Path

from hub import exitcodes

TEMPLATES = Path(__file__).parent / "web"
CLEARED_FROM_SESSIONS = ("HUB_STAFF", "HUB_PASSWORD")
"""Command-line sign-in must never carry over into a browser session: each one signs in itself."""

log = logging.getLogger("hub.serve")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def url_host(host: str) -> str:
    """A host as it appears in a URL (IPv6 in brackets; "any address" as the loopback)."""
    if host in ("", "0.0.0.0"):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


def session_command(site_file: Path) -> str:
    """The shell command textual-serve runs for each browser session."""
    return shlex.join([sys.executable, "-m", "hub", "--site", str(site_file.resolve()), "run"])


def make_server(config, *, host: str, port: int):
    """A textual-serve Server for this site (built lazily: textual-serve is imported only here)."""
    from aiohttp import web
    from textual_serve.server import Server

    class HubServer(Server):
        """textual-serve's server with the hub's page, plain logging and the real port printed."""

        def initialize_logging(self) -> None:
            # Plain lines, no Rich tracebacks with local variables: a session's locals can hold
            # a resident's details, and this log is kept.
            logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s: %(message)s")

        async def on_startup(self, app) -> None:
            pass  # the address is printed once the port is bound (see run)

        async def run(self) -> int:
            app = await self._make_app()
            import aiohttp_jinja2

            aiohttp_jinja2.get_env(app).globals["hub_font_size"] = config.serve.font_size
            runner = web.AppRunner(app, handle_signals=False, access_log=None)
            await runner.setup()
            site = web.TCPSite(runner, self.host, self.port)
            try:
                await site.start()
            except OSError as exc:
                await runner.cleanup()
                print(f"hub serve: cannot listen on {self.host}:{self.port}: {exc.strerror or exc}", file=sys.stderr)
                return exitcodes.FAILURE
            bound_port = runner.addresses[0][1]
            if not config.serve.public_url:
                self.public_url = f"http://{url_host(self.host)}:{bound_port}"
            print(f"hub serve: {config.hub.site_name} on {self.public_url} "
                  f"(listening on {url_host(self.host)}:{bound_port}; Ctrl+C stops)", flush=True)
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGINT, signal.SIGTERM):
                try:
                    loop.add_signal_handler(signum, stop.set)
                except (NotImplementedError, RuntimeError):
                    pass
            try:
                await stop.wait()
            finally:
                await runner.cleanup()  # closes every session's websocket, which ends its hub process
            return exitcodes.OK

    public_url = config.serve.public_url.rstrip("/") or None
    server = HubServer(
        session_command(config.path),
        host=host,
        port=port,
        title=config.hub.site_name,
        public_url=public_url,
        templates_path=TEMPLATES,
    )
    return server


def serve(config, *, host: str | None = None, port: int | None = None) -> int:
    """Run the server until Ctrl+C or SIGTERM; the exit code for ``hub serve``."""
    try:
        import textual_serve  # noqa: F401
    except ImportError:
        print("hub serve: textual-serve is not installed: pip install 'drop-in-hub[serve]' "
              "(make install includes it)", file=sys.stderr)
        return exitcodes.FAILURE
    host = config.serve.host if host is None else host
    port = config.serve.port if port is None else port
    if not 0 <= port <= 65535:
        print(f"hub serve: --port {port} is not a port (1-65535, or 0 for any free one)", file=sys.stderr)
        return exitcodes.USAGE
    if not is_loopback(host) and not config.serve.public_url.startswith("https://"):
        print(f"hub serve: warning: listening on {host} without TLS or a sign-in of its own. Put a TLS "
              "reverse proxy in front and set [serve] public_url to its https:// address (docs/serve.md).",
              file=sys.stderr)
    for name in CLEARED_FROM_SESSIONS:
        os.environ.pop(name, None)
    server = make_server(config, host=host, port=port)
    server.initialize_logging()
    try:
        return asyncio.run(server.run())
    except KeyboardInterrupt:
        return exitcodes.OK
