// A vendor's sealer with writable setpoints, built with node-opcua (not asyncua):
// a second OPC UA stack for LineTwin's guarded setpoint writer.
// Started by tests/io/opcua/test_setpoint_node_opcua.py:
//   node setpoint_server.js PORT PKI_FOLDER
// Prints "READY <endpoint> <server certificate file>" once listening.
//
// Namespace urn:acme:sealer: Sealer.TempSetpoint (Float, writable, 185),
// Sealer.SpeedSetpoint (Int32, writable, 120), Sealer.Temp (Double, read-only, 185.2),
// Sealer.Recipe (Double, read-only, 7).
"use strict";
const path = require("path");
const { OPCUAServer, OPCUACertificateManager, MessageSecurityMode, SecurityPolicy, DataType, Variant }
  = require("node-opcua");

function variable(ns, sealer, name, dataType, value, writable) {
  const access = writable ? "CurrentRead | CurrentWrite" : "CurrentRead";
  const node = ns.addVariable({
    componentOf: sealer, browseName: name, nodeId: `s=Sealer.${name}`, dataType,
    accessLevel: access, userAccessLevel: access,
  });
  node.setValueFromSource(new Variant({ dataType: DataType[dataType], value }));
}

async function main() {
  const port = parseInt(process.argv[2], 10);
  const pki = process.argv[3];
  const serverCertificateManager = new OPCUACertificateManager({ rootFolder: path.join(pki, "server-pki") });
  await serverCertificateManager.initialize();
  const server = new OPCUAServer({
    port,
    hostname: "127.0.0.1",
    resourcePath: "/sealer",
    serverCertificateManager,
    securityPolicies: [SecurityPolicy.None],
    securityModes: [MessageSecurityMode.None],
    allowAnonymous: true,
    buildInfo: { productName: "ACME sealer (LineTwin setpoint test server)" },
  });
  await server.initialize();
  const addressSpace = server.engine.addressSpace;
  const ns = addressSpace.registerNamespace("urn:acme:sealer");
  const sealer = ns.addObject({ organizedBy: addressSpace.rootFolder.objects, browseName: "Sealer" });
  variable(ns, sealer, "TempSetpoint", "Float", 185.0, true);
  variable(ns, sealer, "SpeedSetpoint", "Int32", 120, true);
  variable(ns, sealer, "Temp", "Double", 185.2, false);
  variable(ns, sealer, "Recipe", "Double", 7.0, false);
  await server.start();
  process.stdout.write(`READY ${server.getEndpointUrl()} ${server.certificateFile}\n`);
  const stop = async () => { await server.shutdown(0); process.exit(0); };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((err) => { process.stderr.write(`setpoint_server: ${err.stack || err}\n`); process.exit(1); });
