// A vendor's line, as another company would build it with node-opcua: its own
// event types and words, raised by station objects (not the Server object).
// Started by tests/io/test_node_opcua_events.py:
//   node vision_line_server.js PORT PKI_FOLDER
// Prints "READY <endpoint> <server certificate file>" once listening.
//
// Objects/Line/Vision (EventNotifier) raises VisionCheckEventType: SerialNumber,
// BatchId, Article, Verdict ("OK" / "NOK" / "REWORK"), FailureCode (empty when OK),
// Criticality (UInt16: 0 none, 1 cosmetic, 2 functional, 3 safety), SealWidth (mm).
// Objects/Line/Sealer (EventNotifier) raises OperatorActionEventType: Badge, Role,
// Procedure, StepNo (Int32), Activity, Passed (Boolean), Remark.
//
// The sequence is fixed (the test states what it expects on its own): 20 units
// from 2026-06-14T02:14:00Z, one every 3 s, batch B-0614-A for units 1-10 and
// B-0614-B for 11-20; three defects; then four operator steps of a sealer
// changeover, one a violation. Each time a session starts monitoring a station's
// events, that station raises its whole sequence 500 ms later (the monitored
// item exists by then), so every test's client receives it from the start.
"use strict";
const path = require("path");
const { OPCUAServer, OPCUACertificateManager, MessageSecurityMode, SecurityPolicy, DataType, AttributeIds }
  = require("node-opcua");

const START = Date.UTC(2026, 5, 14, 2, 14, 0);
const DEFECTS = {  // unit number -> [Verdict, FailureCode, Criticality, SealWidth]
  4: ["NOK", "E-SW-LOW", 3, 3.1],
  11: ["REWORK", "E-FOREIGN", 2, 4.9],
  17: ["NOK", "E-SW-LOW", 3, 2.8],
};
const STEPS = [  // [seconds after START, Badge, Role, StepNo, Activity, Passed, Remark]
  [70, "B-1043", "Setter", 1, "Lock out seal head", true, ""],
  [85, "B-1043", "Setter", 2, "Change sealing jaws", true, ""],
  [100, "B-1043", "Setter", 4, "Release seal head", false, "Step 3 (verify jaw gap) not confirmed"],
  [110, "B-2210", "Shift lead", 3, "Verify jaw gap", true, "late confirmation"],
];

function visionChecks() {
  const checks = [];
  for (let unit = 1; unit <= 20; unit++) {
    const [verdict, code, criticality, width] = DEFECTS[unit] || ["OK", "", 0, 5.0 + unit / 100];
    checks.push({
      time: new Date(START + (unit - 1) * 3000),
      serialNumber: `SN-26165-${String(unit).padStart(4, "0")}`,
      batchId: unit <= 10 ? "B-0614-A" : "B-0614-B",
      article: "PCH-250-ALU",
      verdict, failureCode: code, criticality, sealWidth: width,
    });
  }
  return checks;
}

function property(ns, eventType, browseName, dataType) {
  ns.addVariable({ propertyOf: eventType, browseName, dataType, modellingRule: "Mandatory" });
}

function addTypes(ns) {
  const vision = ns.addEventType({ browseName: "VisionCheckEventType", subtypeOf: "BaseEventType" });
  for (const [name, type] of [["SerialNumber", "String"], ["BatchId", "String"], ["Article", "String"],
    ["Verdict", "String"], ["FailureCode", "String"], ["Criticality", "UInt16"], ["SealWidth", "Double"]]) {
    property(ns, vision, name, type);
  }
  const action = ns.addEventType({ browseName: "OperatorActionEventType", subtypeOf: "BaseEventType" });
  for (const [name, type] of [["Badge", "String"], ["Role", "String"], ["Procedure", "String"],
    ["StepNo", "Int32"], ["Activity", "String"], ["Passed", "Boolean"], ["Remark", "String"]]) {
    property(ns, action, name, type);
  }
  return { vision, action };
}

function raiseChecks(station, type) {
  for (const c of visionChecks()) {
    station.raiseEvent(type, {
      time: { dataType: DataType.DateTime, value: c.time },
      message: { dataType: DataType.LocalizedText, value: { text: `${c.serialNumber} ${c.verdict}` } },
      severity: { dataType: DataType.UInt16, value: c.verdict === "OK" ? 100 : 600 },
      serialNumber: { dataType: DataType.String, value: c.serialNumber },
      batchId: { dataType: DataType.String, value: c.batchId },
      article: { dataType: DataType.String, value: c.article },
      verdict: { dataType: DataType.String, value: c.verdict },
      failureCode: { dataType: DataType.String, value: c.failureCode },
      criticality: { dataType: DataType.UInt16, value: c.criticality },
      sealWidth: { dataType: DataType.Double, value: c.sealWidth },
    });
  }
}

function raiseSteps(station, type) {
  for (const [seconds, badge, role, stepNo, activity, passed, remark] of STEPS) {
    station.raiseEvent(type, {
      time: { dataType: DataType.DateTime, value: new Date(START + seconds * 1000) },
      message: { dataType: DataType.LocalizedText, value: { text: `${activity} by ${badge}` } },
      severity: { dataType: DataType.UInt16, value: passed ? 100 : 700 },
      badge: { dataType: DataType.String, value: badge },
      role: { dataType: DataType.String, value: role },
      procedure: { dataType: DataType.String, value: "WI-SEAL-CHG-03" },
      stepNo: { dataType: DataType.Int32, value: stepNo },
      activity: { dataType: DataType.String, value: activity },
      passed: { dataType: DataType.Boolean, value: passed },
      remark: { dataType: DataType.String, value: remark },
    });
  }
}

// Raise a station's sequence whenever a session starts monitoring its events.
function raiseOnSubscribe(server, raisers) {
  server.on("create_session", (session) => {
    session.on("new_subscription", (subscription) => {
      subscription.on("monitoredItem", (item, itemToMonitor) => {
        const raise = raisers.get(itemToMonitor.nodeId.toString());
        if (raise && itemToMonitor.attributeId === AttributeIds.EventNotifier) {
          setTimeout(raise, 500);
        }
      });
    });
  });
}

async function main() {
  const port = parseInt(process.argv[2], 10);
  const pki = process.argv[3];
  const serverCertificateManager = new OPCUACertificateManager({ rootFolder: path.join(pki, "server-pki") });
  await serverCertificateManager.initialize();
  const server = new OPCUAServer({
    port,
    hostname: "127.0.0.1",
    resourcePath: "/vision-line",
    serverCertificateManager,
    securityPolicies: [SecurityPolicy.None],
    securityModes: [MessageSecurityMode.None],
    allowAnonymous: true,
    buildInfo: { productName: "ACME VisionLine (LineTwin test server)" },
  });
  await server.initialize();
  const addressSpace = server.engine.addressSpace;
  const ns = addressSpace.registerNamespace("urn:acme:visionline");
  const types = addTypes(ns);
  const line = ns.addObject({ organizedBy: addressSpace.rootFolder.objects, browseName: "Line", nodeId: "s=Line" });
  const vision = ns.addObject({ componentOf: line, browseName: "Vision", nodeId: "s=Line.Vision", eventNotifier: 1 });
  const sealer = ns.addObject({ componentOf: line, browseName: "Sealer", nodeId: "s=Line.Sealer", eventNotifier: 1 });
  raiseOnSubscribe(server, new Map([
    [vision.nodeId.toString(), () => raiseChecks(vision, types.vision)],
    [sealer.nodeId.toString(), () => raiseSteps(sealer, types.action)],
  ]));
  await server.start();
  process.stdout.write(`READY ${server.getEndpointUrl()} ${server.certificateFile}\n`);
  const stop = async () => { await server.shutdown(0); process.exit(0); };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((err) => { process.stderr.write(`vision_line_server: ${err.stack || err}\n`); process.exit(1); });
