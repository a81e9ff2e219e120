"""A TCP relay on the host end of the veth pair to the API server on loopback.

The control plane listens on 127.0.0.1 only (nothing of it is exposed on the machine's own
interfaces); the node reaches it at the host end of its veth pair, an address only the node
can route to. Inside the node a second relay listens on the node's own address, the endpoint of
the `kubernetes` Service, and forwards to the first: that is how pods reach the API server.
Run as `python -m harness.deploy.node.forward LISTEN_IP PORT [TARGET_IP]` (the harness starts
and stops both with the node); stdlib only, one coroutine pair per connection.
"""

from __future__ import annotations

import asyncio
import sys


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


async def serve(listen_ip: str, port: int, target: str = "127.0.0.1") -> None:
    async def relay(client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        try:
            server_r, server_w = await asyncio.open_connection(target, port)
        except OSError:
            client_w.close()
            return
        await asyncio.gather(_pipe(client_r, server_w), _pipe(server_r, client_w))

    server = await asyncio.start_server(relay, listen_ip, port, reuse_address=True)
    async with server:
        await server.serve_forever()


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3) or not argv[1].isdigit():
        print("usage: python -m harness.deploy.node.forward LISTEN_IP PORT [TARGET_IP]", file=sys.stderr)
        return 2
    try:
        asyncio.run(serve(argv[0], int(argv[1]), *argv[2:]))
    except OSError as err:
        print(f"error: cannot listen on {argv[0]}:{argv[1]}: {err.strerror}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
