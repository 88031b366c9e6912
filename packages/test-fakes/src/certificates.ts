import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * A self-signed certificate and its key, made with openssl for this test run only (valid for
 * a day), for a fake that serves HTTPS on 127.0.0.1. The certificate names 127.0.0.1 and the
 * given host names (its common name is the first of them), so a client that is handed it as
 * its CA accepts the fake under Microsoft's own host names too.
 */
export function selfSignedCertificate(options: { hosts?: string[] } = {}): {
  key: string;
  cert: string;
} {
  const hosts = options.hosts ?? [];
  const subjectAltNames = [...hosts.map(h => `DNS:${h}`), 'IP:127.0.0.1'];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-certificate-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        `/CN=${hosts[0] ?? '127.0.0.1'}`,
        '-addext',
        `subjectAltName=${subjectAltNames.join(',')}`,
      ],
      { stdio: 'ignore' },
    );
    return {
      key: fs.readFileSync(path.join(dir, 'key.pem'), 'utf8'),
      cert: fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8'),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
