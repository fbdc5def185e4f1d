// An independent gRPC client for platformd, in JavaScript: it knows nothing of the
// contract beforehand and learns it through server reflection, as grpcurl does.
//   node grpcurl-like.mjs SOCKET LABEL
// Prints one JSON object: the services listed over reflection v1 and v1alpha, the methods
// of PlatformService with their request/response types ("describe"), and the answer of
// ListDevices called with a request built from JSON text. Exits non-zero on any failure.
import * as grpc from '@grpc/grpc-js';
import { GrpcReflection } from 'grpc-js-reflection-client';

//   node grpcurl-like.mjs SOCKET LABEL --open-only
// only opens a session and prints {"session_id": ...} or {"error": {"code", "details"}}
// (exit 3): the test runs it as another Unix user to check label binding.
const [socket, label, mode] = process.argv.slice(2);
if (!socket || !label) {
  console.error('usage: node grpcurl-like.mjs SOCKET LABEL [--open-only]');
  process.exit(2);
}
const target = 'unix:' + socket;

function unary(client, method, request) {
  return new Promise((resolve, reject) => {
    client[method](request, (err, response) => (err ? reject(err) : resolve(response)));
  });
}

const creds = grpc.credentials.createInsecure();

if (mode === '--open-only') {
  const reflection = new GrpcReflection(target, creds, {}, 'v1');
  const pkg = (await reflection.getDescriptorBySymbol('platformd.v1.PlatformService'))
    .getPackageObject({ keepCase: true });
  const client = new pkg.platformd.v1.PlatformService(target, creds);
  try {
    const opened = await unary(client, 'OpenSession', { label });
    console.log(JSON.stringify({ session_id: opened.session_id }));
    process.exit(0);
  } catch (err) {
    console.log(JSON.stringify({ error: { code: grpc.status[err.code], details: err.details } }));
    process.exit(3);
  }
}


const v1 = new GrpcReflection(target, creds, {}, 'v1');
const v1alpha = new GrpcReflection(target, creds, {}, 'v1alpha');
const services = (await v1.listServices()).sort();
const servicesAlpha = (await v1alpha.listServices()).sort();

const descriptor = await v1.getDescriptorBySymbol('platformd.v1.PlatformService');
const methods = (await v1.listMethods('platformd.v1.PlatformService')).map((m) => ({
  name: m.name,
  request: m.definition.requestType?.type?.name,
  response: m.definition.responseType?.type?.name,
  serverStreaming: m.definition.responseStream,
}));
const pkg = descriptor.getPackageObject({ keepCase: true, longs: String, enums: String, defaults: true });
const PlatformService = pkg.platformd.v1.PlatformService;
const client = new PlatformService(target, creds);

// Requests written as JSON text, as one would pass them to grpcurl -d.
const opened = await unary(client, 'OpenSession', JSON.parse(`{"label": ${JSON.stringify(label)}}`));
const listed = await unary(client, 'ListDevices', JSON.parse(`{"session_id": "${opened.session_id}"}`));
await unary(client, 'CloseSession', { session_id: opened.session_id });
client.close();

console.log(JSON.stringify({
  services,
  servicesAlpha,
  methods,
  policy: opened.policy,
  devices: listed.devices.map((d) => ({ name: d.name, vendor_id: d.vendor_id, device_id: d.device_id, kind: d.kind })),
}));
