// A receiver process that answers 200 as fast as Node can and counts what it got.
// GET /count answers the count; POST anything else is a delivery. Prints its port on stdout.
import { createServer } from 'node:http';

let count = 0;
const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/count') {
    res.end(String(count));
    return;
  }
  req.on('data', () => {});
  req.on('end', () => {
    if (req.headers['x-hook-test'] !== 'true') count++;
    res.end('ok');
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
