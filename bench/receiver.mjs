// A receiver process that answers 200 as fast as Node can and counts what it got. Prints its port.
// GET /count: deliveries so far. GET /down, GET /up: answer 503 to deliveries, or 200 again.
// GET /track: from now on note each delivery's arrival time by PrimaryKey; GET /arrivals returns them.
// Deliveries to a path starting /hang are never answered (a hanging receiver).
import { createServer } from 'node:http';

let count = 0;
let down = false;
let arrivals = null;
const control = {
  '/count': () => String(count),
  '/down': () => ((down = true), 'down'),
  '/up': () => ((down = false), 'up'),
  '/track': () => ((arrivals = {}), 'tracking'),
  '/arrivals': () => JSON.stringify(arrivals ?? {}),
};
const server = createServer((req, res) => {
  if (req.method === 'GET' && control[req.url]) {
    res.end(control[req.url]());
    return;
  }
  const chunks = arrivals ? [] : null;
  req.on('data', (c) => chunks?.push(c));
  req.on('end', () => {
    if (req.url.startsWith('/hang')) return;
    if (down) {
      res.statusCode = 503;
      res.end();
      return;
    }
    if (req.headers['x-hook-test'] !== 'true') {
      count++;
      if (chunks) arrivals[JSON.parse(Buffer.concat(chunks).toString()).PrimaryKey] = performance.timeOrigin + performance.now();
    }
    res.end('ok');
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
