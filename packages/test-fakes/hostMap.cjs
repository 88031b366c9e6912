// Preloaded into a backend under test (NODE_OPTIONS=--require): connections to the hosts in
// E2E_HOST_MAP ("login.microsoftonline.com=127.0.0.1:7096,...") go to a fake on 127.0.0.1,
// with the original name kept for SNI and certificate checks. It is the Node side of
// Chromium's --host-resolver-rules: the code under test still asks for Microsoft's hosts.
const tls = require('tls');

const map = new Map(
  (process.env.E2E_HOST_MAP || '')
    .split(',')
    .filter(Boolean)
    .map(entry => {
      const [host, target] = entry.split('=');
      const [address, port] = target.split(':');
      return [host, { address, port: Number(port) }];
    }),
);

const connect = tls.connect;
tls.connect = function mappedConnect(...args) {
  const options = args.find(a => a && typeof a === 'object');
  const target = options && map.get(options.host || options.servername);
  if (target && (!options.port || Number(options.port) === 443)) {
    const name = options.servername || options.host;
    Object.assign(options, {
      host: target.address,
      port: target.port,
      servername: name,
    });
    // Positional port/host, as in tls.connect(443, 'host', options), must not win.
    while (args.length && typeof args[0] !== 'object') args.shift();
  }
  return connect.apply(this, args);
};
