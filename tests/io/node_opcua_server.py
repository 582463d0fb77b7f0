"""A real node-opcua server for the io tests (not asyncua: another stack, as in a plant).

:class:`NodeOpcuaServer` runs ``tests/io/node_opcua/refusing_server.js`` with
node: Basic256Sha256/SignAndEncrypt only, and a certificate manager that
refuses unknown client certificates at the secure-channel level (node-opcua
answers OpenSecureChannel with a ServiceFault). The npm packages are installed
into ``tests/io/node_opcua/node_modules`` on first use (``.ci/setup`` does it
ahead); a machine without node or npm skips the tests that need it.
"""

from __future__ import annotations

import queue
import shutil
import socket
import subprocess
import threading
from pathlib import Path

import pytest

from linetwin.io.opcua.connection.trust_store import CertificateInfo, read_certificate_file

FOLDER = Path(__file__).resolve().parent / "node_opcua"
START_TIMEOUT_S = 60.0  # node-opcua creates its certificate on first start


def require_node_opcua() -> None:
    """Skip without node/npm; install the pinned packages if they are not there yet."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("node and npm are needed for the node-opcua server (bash .ci/setup installs them)")
    if not (FOLDER / "node_modules" / "node-opcua").is_dir():
        run = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=FOLDER, capture_output=True,
                             text=True, timeout=600)
        assert run.returncode == 0, f"npm ci in {FOLDER} failed:\n{run.stderr[-2000:]}"


class NodeOpcuaServer:
    """Start with :meth:`start`, stop with :meth:`stop` (or use ``with``)."""

    def __init__(self, pki: Path, script: str = "refusing_server.js") -> None:
        self.pki = Path(pki)
        self.script = FOLDER / script  # a server script in tests/io/node_opcua
        self.port = _free_port()
        self.endpoint = ""
        self.certificate_file: Path | None = None
        self._process: subprocess.Popen | None = None
        self._lines: queue.SimpleQueue[str] = queue.SimpleQueue()
        self.log: list[str] = []

    @property
    def certificate(self) -> CertificateInfo:
        assert self.certificate_file is not None
        return read_certificate_file(self.certificate_file)

    @property
    def rejected_folder(self) -> Path:
        """Where node-opcua keeps the client certificates it refused."""
        return self.pki / "server-pki" / "rejected"

    @property
    def trusted_folder(self) -> Path:
        return self.pki / "server-pki" / "trusted" / "certs"

    def start(self) -> "NodeOpcuaServer":
        require_node_opcua()
        self._process = subprocess.Popen(
            ["node", str(self.script), str(self.port), str(self.pki)], cwd=FOLDER,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, stdin=subprocess.DEVNULL)
        threading.Thread(target=self._read, daemon=True).start()
        while True:
            try:
                line = self._lines.get(timeout=START_TIMEOUT_S)
            except queue.Empty:
                self.stop()
                raise RuntimeError("node-opcua server did not start:\n" + "\n".join(self.log)) from None
            if line == "EXIT":
                self.stop()
                raise RuntimeError("node-opcua server exited:\n" + "\n".join(self.log))
            if line.startswith("READY "):
                _, self.endpoint, cert = line.split(maxsplit=2)
                self.certificate_file = Path(cert)
                return self

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)

    def _read(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        for line in self._process.stdout:
            line = line.rstrip("\n")
            self.log.append(line)
            self._lines.put(line)
        self._lines.put("EXIT")

    def __enter__(self) -> "NodeOpcuaServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
