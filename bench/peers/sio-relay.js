// The Socket.IO peer, optionally with @socket.io/redis-adapter so that
// several processes form one relay (the cross-node case).
// Protocol: event "join" (room) -> once the room holds two sockets (across all
// nodes) both get "paired"; event "f" with one binary attachment is relayed to
// the rest of the room.
// Usage: node sio-relay.js PORT [redis://127.0.0.1:6379]
'use strict';
const { Server } = require('socket.io');

const port = Number(process.argv[2] || 9002);
const redisUrl = process.argv[3];
const pingS = Number(process.env.PING_S || 25); // Socket.IO's default pingInterval

async function main() {
  const io = new Server({
    transports: ['websocket'], perMessageDeflate: false, httpCompression: false,
    maxHttpBufferSize: 65540, serveClient: false, pingInterval: pingS * 1000,
  });
  if (redisUrl) {
    const { createClient } = require('redis');
    const { createAdapter } = require('@socket.io/redis-adapter');
    const pub = createClient({ url: redisUrl });
    const sub = pub.duplicate();
    await Promise.all([pub.connect(), sub.connect()]);
    io.adapter(createAdapter(pub, sub));
  }
  io.on('connection', (socket) => {
    socket.on('join', async (room) => {
      socket.data.room = String(room);
      socket.join(socket.data.room);
      const members = await io.in(socket.data.room).fetchSockets();
      if (members.length >= 2) io.to(socket.data.room).emit('paired');
    });
    socket.on('f', (buf) => {
      if (socket.data.room) socket.to(socket.data.room).emit('f', buf);
    });
  });
  const server = require('http').createServer();
  io.attach(server);
  server.listen(port, '127.0.0.1');
  console.error(`sio-relay listening on port ${port}${redisUrl ? ' with redis adapter ' + redisUrl : ''}`);
}
main().catch((e) => { console.error(e); process.exit(1); });
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
