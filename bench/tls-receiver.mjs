// An HTTPS receiver for the receiver-auth bench: answers 200 as fast as Node can and counts deliveries, asking for a
// client certificate (accepted when it has one from the client CA, and accepted without one: the plain https case).
// A plain http listener beside it serves GET /count and an OAuth2 token endpoint (POST /token, counted).
// Args: server cert, server key, client CA (PEM files). Prints "<http port> <https port>".
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createHttps } from 'node:https';

const [certFile, keyFile, caFile] = process.argv.slice(2);
let count = 0;
let tokens = 0;
let withCert = 0;
const https = createHttps(
  { cert: readFileSync(certFile), key: readFileSync(keyFile), ca: readFileSync(caFile), requestCert: true, rejectUnauthorized: false },
  (req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.headers['x-hook-test'] !== 'true') {
        count++;
        if (req.socket.getPeerCertificate().subject?.CN === 'hookd bench client') withCert++;
      }
      res.end('ok');
    });
  },
);
https.keepAliveTimeout = 60_000;
const http = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    if (req.url === '/count') return res.end(String(count));
    if (req.url === '/stats') return res.end(JSON.stringify({ count, tokens, withCert }));
    if (req.url === '/token') {
      tokens++;
      res.setHeader('Content-Type', 'application/json');
      return res.end(JSON.stringify({ access_token: `t${tokens}`, token_type: 'Bearer', expires_in: 3600 }));
    }
    res.statusCode = 404;
    res.end();
  });
});
http.listen(0, '127.0.0.1', () => https.listen(0, '127.0.0.1', () => console.log(`${http.address().port} ${https.address().port}`)));
