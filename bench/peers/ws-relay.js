// The Node.js `ws` peer: what a team would write in an afternoon.
// Pairing protocol (bench/peers/README.md): the first text frame of a
// connection is "join <room>"; when a room has two connections both get
// "paired"; binary frames are then forwarded to the partner unchanged.
// Usage: node ws-relay.js PORT [PING_INTERVAL_S]
'use strict';
const { WebSocketServer } = require('ws');

const port = Number(process.argv[2] || 9001);
const pingS = Number(process.argv[3] || 30);
const wss = new WebSocketServer({
  host: '127.0.0.1', port, perMessageDeflate: false, maxPayload: 65540, clientTracking: true,
});
const rooms = new Map();

wss.on('connection', (ws) => {
  ws.isAlive = true;
  ws.on('pong', () => { ws.isAlive = true; });
  ws.on('message', (data, isBinary) => {
    if (isBinary) {
      const p = ws.partner;
      if (p && p.readyState === 1) p.send(data, { binary: true });
      return;
    }
    const s = data.toString();
    if (!s.startsWith('join ')) return;
    const room = s.slice(5);
    const other = rooms.get(room);
    if (other && other !== ws) {
      rooms.delete(room);
      ws.partner = other;
      other.partner = ws;
      other.send('paired');
      ws.send('paired');
    } else {
      rooms.set(room, ws);
      ws.room = room;
    }
  });
  ws.on('close', () => {
    if (ws.partner) ws.partner.partner = null;
    if (ws.room && rooms.get(ws.room) === ws) rooms.delete(ws.room);
  });
});

// Keepalive as in the ws README: ping everyone, drop who did not pong.
const timer = setInterval(() => {
  for (const ws of wss.clients) {
    if (!ws.isAlive) { ws.terminate(); continue; }
    ws.isAlive = false;
    ws.ping();
  }
}, pingS * 1000);
wss.on('close', () => clearInterval(timer));
wss.on('listening', () => console.error(`ws-relay listening on 127.0.0.1:${port}`));
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
