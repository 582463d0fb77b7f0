// A real node-opcua server that refuses client certificates it does not trust,
// the way node-opcua does: at the secure-channel level, during OpenSecureChannel.
// Started by tests/io/test_node_opcua_refusal.py:
//   node refusing_server.js PORT PKI_FOLDER
// Prints one line "READY <endpoint> <server certificate file>" once listening.
"use strict";
const path = require("path");
const { OPCUAServer, OPCUACertificateManager, MessageSecurityMode, SecurityPolicy, DataType, Variant }
  = require("node-opcua");

async function main() {
  const port = parseInt(process.argv[2], 10);
  const pki = process.argv[3];
  const serverCertificateManager = new OPCUACertificateManager({
    rootFolder: path.join(pki, "server-pki"),
    automaticallyAcceptUnknownCertificate: false,  // an unknown client is refused
  });
  await serverCertificateManager.initialize();
  const server = new OPCUAServer({
    port,
    hostname: "127.0.0.1",
    resourcePath: "/refusing",
    serverCertificateManager,
    securityPolicies: [SecurityPolicy.Basic256Sha256],
    securityModes: [MessageSecurityMode.SignAndEncrypt],
    allowAnonymous: true,
    buildInfo: { productName: "LineTwin refusal test server" },
  });
  await server.initialize();
  const addressSpace = server.engine.addressSpace;
  const ns = addressSpace.registerNamespace("urn:linetwin:secure-test");  // ns=2, as in the asyncua test server
  const cell = ns.addObject({ organizedBy: addressSpace.rootFolder.objects, browseName: "Cell1" });
  ns.addVariable({
    componentOf: cell, browseName: "Temperature", nodeId: "s=Cell1.Temperature", dataType: "Double",
    value: { get: () => new Variant({ dataType: DataType.Double, value: 71.5 }) },
  });
  await server.start();
  const endpoint = server.getEndpointUrl();
  process.stdout.write(`READY ${endpoint} ${server.certificateFile}\n`);
  const stop = async () => { await server.shutdown(0); process.exit(0); };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((err) => { process.stderr.write(`refusing_server: ${err.stack || err}\n`); process.exit(1); });
