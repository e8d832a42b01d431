"""A bench peer: ``dakg serve --store`` in front of a SPARQL server (``tests/stores.py``).

Run by ``peer_servers.py`` as one process: ``python bench/peer_store.py SERVER DUMP DATA_DIR
PORT``. It starts the server (Oxigraph server or Virtuoso) on loopback in a folder of its own,
loads the build's dump into it as ``dakg build --store`` does (under the build's version, so
the dumps and ETags are the build's), then runs ``dakg serve --store`` on PORT. The server and
dakg are in this process's group, so the bench's stop (a SIGTERM to the group) ends all three;
the server's folder is removed then.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.stores import SERVERS, store_settings

from dakg.graph.store import current_build
from dakg.graph.stores.remote import RemoteStore
from dakg.settings import env_name

BIN = Path(sys.executable).parent


def main(argv: list[str]) -> int:
    name, dump, data_dir, port = argv[1], Path(argv[2]), Path(argv[3]), argv[4]
    folder = Path(tempfile.mkdtemp(prefix=f"dakg-bench-{name}-"))
    signal.signal(signal.SIGTERM, lambda *_: None)  # the group's stop: wait for the others
    server = SERVERS[name](folder)
    try:
        server.start()
        RemoteStore(server.endpoints).publish(dump, current_build(data_dir).name)
        env = {env_name(k): v for k, v in store_settings(server.endpoints).items()
               if v is not None}
        dakg = subprocess.Popen([str(BIN / "dakg"), "--data-dir", str(data_dir), "serve",
                                 "--port", port], env={**os.environ, **env})
        return dakg.wait()
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
